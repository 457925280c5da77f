"""careline import-orders: Shopify's order export in, one Order per order, bad rows reported."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from careline.assessments.models import Order
from careline.assessments.orders import OrderFileError, import_orders, import_orders_text

pytestmark = pytest.mark.django_db

HEADER = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Currency,Subtotal,"
    "Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,"
    "Billing Name,Billing Phone,Shipping Name,Phone\n"
)
GOOD = HEADER + (
    "#1001,Jo@Example.com,paid,2026-10-30 12:05:00 +0100,fulfilled,2026-10-31 09:00:00 +0100,"
    "EUR,59.90,64.90,2026-10-30 12:00:00 +0100,1,Oak lamp,59.90,LAMP-1,Jo Bloggs,+44 20 7946 0000,"
    "Jo Bloggs,\n"
    "#1001,,,,,,,,,,2,Linen shade,2.50,SHADE-2,,,,\n"
    '#1002,sam@example.com,pending,,unfulfilled,,GBP,"1,200.00","1,250.00",'
    "2026-11-01T08:30:00Z,1,Velvet sofa,1200.00,,Sam Smith,,Sam Smith,+44 7700 900123\n"
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "orders_export.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_orders_are_imported_one_per_order_with_their_line_items(tmp_path: Path) -> None:
    summary = import_orders(write(tmp_path, GOOD))

    assert (summary.rows, summary.created, summary.updated, summary.error_count) == (3, 2, 0, 0)
    first = Order.objects.get(number="#1001")
    assert (first.number_key, first.number_digits) == ("1001", "1001")
    assert (first.email, first.customer_name, first.name_key) == (
        "jo@example.com",
        "Jo Bloggs",
        "jo bloggs",
    )
    assert first.created_at == datetime(2026, 10, 30, 11, 0, tzinfo=UTC)
    assert first.paid_at == datetime(2026, 10, 30, 11, 5, tzinfo=UTC)
    assert (first.total, first.currency) == (Decimal("64.90"), "EUR")
    assert (first.financial_status, first.fulfillment_status) == ("paid", "fulfilled")
    assert first.line_items == "1 x Oak lamp (LAMP-1)\n2 x Linen shade (SHADE-2)"
    assert first.phone == "+44 20 7946 0000"
    assert len(first.raw) == 2
    assert first.raw[1] == {
        "Name": "#1001",
        "Lineitem quantity": "2",
        "Lineitem name": "Linen shade",
        "Lineitem price": "2.50",
        "Lineitem sku": "SHADE-2",
    }
    second = Order.objects.get(number="#1002")
    assert (second.total, second.created_at, second.paid_at, second.phone) == (
        Decimal("1250.00"),
        datetime(2026, 11, 1, 8, 30, tzinfo=UTC),
        None,
        "+44 7700 900123",
    )


def test_importing_the_same_file_again_changes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    import_orders(path)
    before = list(Order.objects.order_by("pk").values())

    again = import_orders(path)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert list(Order.objects.order_by("pk").values()) == before


def test_a_newer_export_updates_the_orders_that_changed(tmp_path: Path) -> None:
    import_orders(write(tmp_path, GOOD))

    later = import_orders(write(tmp_path, GOOD.replace("pending", "paid")))

    assert (later.created, later.updated, later.unchanged) == (0, 1, 1)
    assert Order.objects.get(number="#1002").financial_status == "paid"
    assert Order.objects.count() == 2


def test_bad_rows_are_reported_with_their_line_numbers_and_their_orders_skipped() -> None:
    text = HEADER + (
        "#2001,ok@example.com,paid,,,,EUR,,12.00,2026-10-01 10:00:00 +0000,1,Mug,,,A,,,\n"
        "#2002,not-an-email,paid,,,,EUR,,12.00,2026-10-01 10:00:00 +0000,1,Mug,,,B,,,\n"
        "#2003,c@example.com,paid,,,,EUR,,twelve,2026-10-01 10:00:00 +0000,1,Mug,,,C,,,\n"
        ",d@example.com,paid,,,,EUR,,1.00,2026-10-01 10:00:00 +0000,1,Mug,,,D,,,\n"
        "#2004,e@example.com,paid,,,,EUR,,3.00,yesterday,1,Mug,,,E,,,\n"
        '"#2005",f@example.com,paid,,,,EUR,,3.00,2026-10-01 10:00:00 +0000,1,"Mug with a\n'
        'two-line name",,,F,,,\n'
        "#2005,,,,,,,,NaN,,1,Spoon,,,,,,\n"
    )

    summary = import_orders_text(text)

    assert [(e.line, e.reason) for e in summary.errors] == [
        (3, "order #2002: Email 'not-an-email' is not an e-mail address"),
        (4, "order #2003: Total 'twelve' is not an amount"),
        (5, "no order number in column Name"),
        (6, "order #2004: Created at 'yesterday' is not a date and time"),
        (9, "order #2005: Total 'NaN' is not an amount"),
    ]
    assert (summary.rows, summary.created, summary.skipped_orders) == (7, 1, 4)
    assert list(Order.objects.values_list("number", flat=True)) == ["#2001"]


def test_a_file_without_a_name_column_is_refused_and_nothing_is_written() -> None:
    with pytest.raises(OrderFileError, match="no Name column"):
        import_orders_text("Order,Email\n#1,a@example.com\n")

    assert Order.objects.count() == 0


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(HEADER.encode() + "#1,\xe9\n".encode("latin-1"))

    with pytest.raises(OrderFileError, match="not UTF-8"):
        import_orders(path)

    assert Order.objects.count() == 0


def test_the_command_reports_bad_rows_and_a_summary(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "#1003,bad-email,paid,,,,EUR,,1.00,,1,Mug,,,,,,\n")
    out, err = StringIO(), StringIO()

    call_command("import_orders", str(path), stdout=out, stderr=err)

    assert err.getvalue() == (
        "orders_export.csv:5: order #1003: Email 'bad-email' is not an e-mail address\n"
    )
    assert out.getvalue() == (
        "4 rows read: 2 orders added, 0 updated, 0 unchanged; 1 bad rows, 1 orders skipped.\n"
    )


def test_the_command_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_orders", str(tmp_path / "nope.csv"))


def test_careline_import_orders_is_the_commands_name() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "careline.cli", "import-orders", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "usage: careline import_orders" in result.stdout
