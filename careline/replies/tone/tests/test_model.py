from __future__ import annotations

from decimal import Decimal

import pytest

from careline.replies.tone import CATEGORIES, Finding, ReplyContext, ToneReport, check_reply


def test_from_dict_reads_the_cli_form() -> None:
    context = ReplyContext.from_dict(
        {
            "kind": "complaint",
            "platform": "bluesky",
            "public": False,
            "customer_name": "Ana",
            "facts": {"order": "A-1"},
            "recent_public_replies": ["Hi there"],
            "customer_text": "late again",
            "concession_limit": "25.50",
        }
    )
    assert context == ReplyContext(
        kind="complaint",
        platform="bluesky",
        public=False,
        customer_name="Ana",
        facts={"order": "A-1"},
        recent_public_replies=("Hi there",),
        customer_text="late again",
        concession_limit=Decimal("25.50"),
    )
    assert ReplyContext.from_dict(None) == ReplyContext()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "context must be an object"),
        ({"kind": "rant"}, "context.kind must be one of"),
        ({"platform": "myspace"}, "context.platform must be one of"),
        ({"public": "yes"}, "context.public must be true or false"),
        ({"customer_name": 7}, "context.customer_name must be a string"),
        ({"facts": [1]}, "context.facts must be an object"),
        ({"recent_public_replies": "hi"}, "context.recent_public_replies must be a list"),
        ({"customer_text": 1}, "context.customer_text must be a string"),
        ({"concession_limit": "lots"}, "context.concession_limit must be a number"),
        ({"concession_limit": -5}, "context.concession_limit must be a finite number"),
        ({"concession_limit": True}, "context.concession_limit must be a number"),
    ],
)
def test_from_dict_names_the_bad_field(data: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ReplyContext.from_dict(data)


def test_the_report_gives_the_cli_shape() -> None:
    text = "Calm down."
    report = check_reply(text, ReplyContext(kind="question"))
    assert report.to_dict() == {
        "ok": False,
        "findings": [
            {
                "category": "dismissive",
                "severity": "warning",
                "start": 0,
                "end": 9,
                "message": "Brushes off the person or the problem; they will feel unheard.",
                "suggestion": "Take the problem seriously: say you understand why it matters "
                "and what you will do next.",
            }
        ],
        "needs_approval": False,
        "approval_reasons": [],
    }


def test_info_findings_keep_a_report_ok() -> None:
    report = ToneReport(findings=[Finding("jargon", "info", 0, 3, "m", "s")])
    assert report.ok is True
    assert report.severity == "info"


def test_every_category_is_documented() -> None:
    assert sorted(CATEGORIES) == sorted(
        [
            "defensive",
            "dismissive",
            "blaming",
            "admits_fault",
            "unbacked_promise",
            "generic",
            "near_duplicate",
            "too_long",
            "over_limit",
            "private_data",
            "jargon",
            "sarcasm",
            "no_acknowledgment",
            "promotion",
            "over_concession",
        ]
    )


def test_check_reply_refuses_a_non_string() -> None:
    with pytest.raises(TypeError):
        check_reply(None, ReplyContext())  # type: ignore[arg-type]


def test_from_dict_finds_the_optional_fields_among_the_facts() -> None:
    context = ReplyContext.from_dict(
        {
            "platform": "twitter",
            "facts": {
                "recent_public_replies": ["Hi Bo, sorry!"],
                "customer_text": "late",
                "concession_limit": 20,
            },
        }
    )
    assert context.platform == "x"
    assert context.recent_public_replies == ("Hi Bo, sorry!",)
    assert context.customer_text == "late"
    assert context.concession_limit == Decimal("20")
