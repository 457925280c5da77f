from __future__ import annotations

import gc
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from careline.inbox.models import Channel, Message
from careline.ingestion.importer import ImportFileError, import_file

pytestmark = pytest.mark.django_db

HEADER = "id,author_id,author_handle,author_name,text,created_at,visibility,reply_to\n"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


GOOD_CSV = (
    HEADER
    + '1,u1,@ann,Ann,"Parcel late, again",2026-11-01T10:00:00Z,public,\n'
    + "2,u2,@bob,Bob,Same here,2026-11-01T10:05:00+01:00,public,1\n"
    + '3,u1,@ann,Ann,"Line one\nline two",2026-11-01T11:00:00Z,private,\n'
)


def test_a_csv_export_is_imported_and_threaded(tmp_path: Path, generic_channel: Channel) -> None:
    summary = import_file(write(tmp_path, "posts.csv", GOOD_CSV), generic_channel)

    assert (summary.rows, summary.ingest.created, summary.error_count) == (3, 3, 0)
    reply = Message.objects.get(external_id="2")
    parent = Message.objects.get(external_id="1")
    assert reply.conversation_id == parent.conversation_id
    dm = Message.objects.get(external_id="3")
    assert (dm.visibility, dm.text) == ("private", "Line one\nline two")
    # The DM joins Ann's open case (the public post she started).
    assert dm.conversation_id == parent.conversation_id


def test_importing_the_same_file_twice_adds_nothing(
    tmp_path: Path, generic_channel: Channel
) -> None:
    path = write(tmp_path, "posts.csv", GOOD_CSV)
    import_file(path, generic_channel)

    again = import_file(path, generic_channel)

    assert (again.ingest.created, again.ingest.duplicates) == (0, 3)
    assert Message.objects.count() == 3


def test_bad_rows_are_reported_with_line_and_reason_and_good_rows_kept(
    tmp_path: Path, generic_channel: Channel
) -> None:
    content = (
        HEADER
        + "1,u1,@ann,Ann,fine,2026-11-01T10:00:00Z,public,\n"  # line 2
        + "2,,@bob,Bob,no author,2026-11-01T10:00:00Z,public,\n"  # line 3
        + "3,u3,@cy,Cy,bad time,31/12/2026,public,\n"  # line 4
        + "4,u4,@di,Di,naive time,2026-11-01 10:00:00,public,\n"  # line 5
        + "5,u5,@ed,Ed,odd visibility,2026-11-01T10:00:00Z,secret,\n"  # line 6
        + "6,u6,@fy,Fy,,2026-11-01T10:00:00Z,public,\n"  # line 7
        + "7,u7,@gi,Gi,too,many,fields,2026-11-01T10:00:00Z,public,\n"  # line 8
        + "8,u8,@hu,Hu,also fine,2026-11-01T10:00:00Z,private,\n"  # line 9
    )

    summary = import_file(write(tmp_path, "mixed.csv", content), generic_channel)

    assert [(e.line, e.reason) for e in summary.errors] == [
        (3, "missing author_id"),
        (4, "created_at '31/12/2026' is not an ISO 8601 time"),
        (5, "created_at has no time zone (add Z or an offset)"),
        (6, "visibility 'secret' is neither public nor private"),
        (7, "missing text"),
        (8, "more fields than the header has"),
    ]
    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["1", "8"]


def test_a_jsonl_file_is_imported_with_bad_lines_reported(
    tmp_path: Path, generic_channel: Channel
) -> None:
    good = {
        "id": "a",
        "author": {"id": "u1", "handle": "@ann"},
        "text": "hi",
        "created_at": "2026-11-01T10:00:00Z",
        "public": False,
    }
    lines = [
        json.dumps(good),
        "{broken",
        json.dumps([1, 2]),
        "",
        json.dumps({**good, "id": "b", "text": "<script>alert(1)</script>"}),
    ]

    summary = import_file(write(tmp_path, "posts.jsonl", "\n".join(lines) + "\n"), generic_channel)

    assert [(e.line, e.reason.split(":")[0]) for e in summary.errors] == [
        (2, "not valid JSON"),
        (3, "an item must be a JSON object"),
    ]
    assert Message.objects.get(external_id="b").text == "<script>alert(1)</script>"


def test_oversized_text_is_refused_with_its_size(
    tmp_path: Path, generic_channel: Channel, settings
) -> None:
    settings.CARELINE_MAX_TEXT_CHARS = 50
    content = HEADER + f"1,u1,@a,A,{'x' * 51},2026-11-01T10:00:00Z,public,\n"

    summary = import_file(write(tmp_path, "big.csv", content), generic_channel)

    assert summary.errors[0].reason == "text is too long (51 characters, limit 50)"
    assert Message.objects.count() == 0


def test_a_file_without_the_required_columns_is_refused(
    tmp_path: Path, generic_channel: Channel
) -> None:
    with pytest.raises(ImportFileError, match="missing column\\(s\\): author_id, created_at"):
        import_file(write(tmp_path, "x.csv", "id,text\n1,hello\n"), generic_channel)


def test_a_file_that_is_not_utf8_stops_with_a_clear_error(
    tmp_path: Path, generic_channel: Channel
) -> None:
    content = GOOD_CSV.encode() + b"9,u9,@z,Z,caf\xe9,2026-11-01T10:00:00Z,public,\n"

    with pytest.raises(ImportFileError, match="not UTF-8"):
        import_file(write(tmp_path, "latin1.csv", content), generic_channel)


def test_the_import_command_prints_a_summary_and_each_bad_row(
    tmp_path: Path, generic_channel: Channel
) -> None:
    path = write(tmp_path, "posts.csv", GOOD_CSV + "4,,@x,X,t,2026-11-01T10:00:00Z,public,\n")
    out, err = StringIO(), StringIO()

    call_command("import_items", str(path), channel="shop-webhook", stdout=out, stderr=err)

    assert out.getvalue().strip() == (
        "4 rows read: 3 imported, 0 already present, 1 rejected; 1 new conversations."
    )
    assert err.getvalue().strip() == "posts.csv:6: missing author_id"


def test_the_import_command_refuses_an_unknown_channel(tmp_path: Path, db: None) -> None:
    with pytest.raises(CommandError, match="no channel named 'nope'"):
        call_command("import_items", str(write(tmp_path, "p.csv", GOOD_CSV)), channel="nope")


def test_the_garbage_collector_is_given_back_as_it_was_after_an_import(
    tmp_path: Path, generic_channel: Channel
) -> None:
    frozen_while_importing: list[int] = []
    thresholds = gc.get_threshold()
    import_file(
        write(tmp_path, "posts.csv", GOOD_CSV),
        generic_channel,
        on_progress=lambda _n: frozen_while_importing.append(gc.get_freeze_count()),
    )
    with pytest.raises(ImportFileError):
        import_file(
            write(tmp_path, "x.csv", GOOD_CSV.encode() + b"9,u,@z,Z,caf\xe9,x,,\n"), generic_channel
        )

    assert frozen_while_importing[0] > 0
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == thresholds
