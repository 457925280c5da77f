"""Import the shop's orders from a CSV in the shape of Shopify's order export.

Columns read (others are kept in ``Order.raw`` only): ``Name`` (the order number, e.g.
"#1001"; required), ``Email``, ``Financial Status``, ``Paid at``, ``Fulfillment Status``,
``Created at``, ``Total``, ``Currency``, ``Lineitem quantity``, ``Lineitem name``,
``Lineitem sku``, ``Billing Name``, ``Shipping Name``, ``Phone`` (else ``Billing Phone``,
``Shipping Phone``). An order with several items spans several rows that repeat its Name; the
order's own fields are taken from its first row that has them.

A bad row is reported with its line number and reason, and its whole order is skipped (half an
order would mislead the legitimacy checks); other orders are imported. Importing the same file
again changes nothing; a newer export updates the orders that changed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from careline.assessments.evidence import order_keys
from careline.assessments.legitimacy import name_key
from careline.assessments.models import Order

MAX_REPORTED_ERRORS = 1000
WRITE_BATCH = 1000
ORDER_FIELDS = (
    "number",
    "number_digits",
    "email",
    "customer_name",
    "name_key",
    "shipping_name",
    "phone",
    "created_at",
    "paid_at",
    "total",
    "currency",
    "financial_status",
    "fulfillment_status",
    "line_items",
    "raw",
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class OrderFileError(ValueError):
    """The file as a whole cannot be read (not UTF-8, not CSV, no ``Name`` column)."""


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    reason: str


@dataclass
class OrderImportSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_orders: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    def reject(self, line: int, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(line, reason))


@dataclass
class _Draft:
    number: str
    first_line: int
    values: dict[str, Any] = field(default_factory=dict)
    items: list[str] = field(default_factory=list)
    raw: list[dict[str, str]] = field(default_factory=list)
    bad: bool = False


def import_orders(path: Path) -> OrderImportSummary:
    """Import the orders of the CSV file at ``path``. Raises OrderFileError (nothing written)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return import_orders_from(handle)
    except UnicodeDecodeError as exc:
        raise OrderFileError(f"{path.name} is not UTF-8 text: {exc.reason}") from exc


def import_orders_from(handle: TextIO) -> OrderImportSummary:
    summary = OrderImportSummary()
    drafts: dict[str, _Draft] = {}
    for line, row in _rows(handle):
        summary.rows += 1
        number = (row.get("Name") or "").strip()
        key, _digits = order_keys(number)
        if not key:
            summary.reject(line, "no order number in column Name")
            continue
        draft = drafts.setdefault(key, _Draft(number=number, first_line=line))
        draft.raw.append({k: v for k, v in row.items() if v})
        try:
            _merge(draft, row)
        except ValueError as exc:
            draft.bad = True
            summary.reject(line, f"order {number}: {exc}")
    good = {key: d for key, d in drafts.items() if not d.bad}
    summary.skipped_orders = len(drafts) - len(good)
    _write(good, summary)
    return summary


def _rows(handle: TextIO) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number where the row starts, row) for every data row."""
    reader = csv.DictReader(handle)
    try:
        columns = reader.fieldnames
    except csv.Error as exc:
        raise OrderFileError(f"not a CSV file: {exc}") from exc
    if not columns or "Name" not in [c.strip() for c in columns]:
        raise OrderFileError("the header has no Name column (Shopify's order export has one)")
    reader.fieldnames = [c.strip() for c in columns]
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise OrderFileError(f"line {reader.line_num}: {exc}") from exc
        yield start, {k: (v or "") for k, v in row.items() if isinstance(k, str)}
        start = reader.line_num + 1


def _merge(draft: _Draft, row: dict[str, str]) -> None:
    """Fold one export row into its order. Raises ValueError with what is wrong in the row."""
    values = draft.values
    text = {k: v.strip() for k, v in row.items()}
    email = text.get("Email", "").lower()
    if email and not _EMAIL.match(email):
        raise ValueError(f"Email {email!r} is not an e-mail address")
    parsed: dict[str, Any] = {
        "email": email,
        "customer_name": text.get("Billing Name", ""),
        "shipping_name": text.get("Shipping Name", ""),
        "phone": text.get("Phone") or text.get("Billing Phone") or text.get("Shipping Phone", ""),
        "created_at": _moment(text.get("Created at", ""), "Created at"),
        "paid_at": _moment(text.get("Paid at", ""), "Paid at"),
        "total": _amount(text.get("Total", ""), "Total"),
        "currency": text.get("Currency", "").upper(),
        "financial_status": text.get("Financial Status", "").lower(),
        "fulfillment_status": text.get("Fulfillment Status", "").lower(),
    }
    for name, value in parsed.items():
        if value not in ("", None) and values.get(name) in ("", None):
            values[name] = value
    item = text.get("Lineitem name", "")
    if item:
        quantity = text.get("Lineitem quantity", "")
        sku = text.get("Lineitem sku", "")
        draft.items.append(f"{quantity} x {item}" if quantity else item)
        if sku:
            draft.items[-1] += f" ({sku})"


def _moment(value: str, column: str) -> datetime | None:
    """Shopify's "2024-03-01 10:15:00 -0500", or ISO 8601; a time without offset is UTC."""
    if not value:
        return None
    for parse in (
        lambda v: datetime.strptime(v, "%Y-%m-%d %H:%M:%S %z"),
        datetime.fromisoformat,
    ):
        try:
            moment = parse(value)
        except ValueError:
            continue
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    raise ValueError(f"{column} {value!r} is not a date and time")


def _amount(value: str, column: str) -> Decimal | None:
    if not value:
        return None
    try:
        amount = Decimal(value.replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(f"{column} {value!r} is not an amount") from exc
    if not amount.is_finite() or abs(amount) >= Decimal("1e12"):
        raise ValueError(f"{column} {value!r} is not an amount")
    return amount.quantize(Decimal("0.01"))


def _fields(draft: _Draft) -> dict[str, Any]:
    v = draft.values
    _key, digits = order_keys(draft.number)
    return {
        "number": draft.number[:64],
        "number_digits": digits[:64],
        "email": v.get("email", "")[:254],
        "customer_name": v.get("customer_name", "")[:200],
        "name_key": name_key(v.get("customer_name", ""))[:200],
        "shipping_name": v.get("shipping_name", "")[:200],
        "phone": v.get("phone", "")[:64],
        "created_at": v.get("created_at"),
        "paid_at": v.get("paid_at"),
        "total": v.get("total"),
        "currency": v.get("currency", "")[:8],
        "financial_status": v.get("financial_status", "")[:32],
        "fulfillment_status": v.get("fulfillment_status", "")[:32],
        "line_items": "\n".join(draft.items),
        "raw": draft.raw,
    }


def _write(drafts: dict[str, _Draft], summary: OrderImportSummary) -> None:
    keys = list(drafts)
    with transaction.atomic():
        existing: dict[str, Order] = {}
        for start in range(0, len(keys), WRITE_BATCH):
            existing.update(
                (o.number_key, o)
                for o in Order.objects.filter(number_key__in=keys[start : start + WRITE_BATCH])
            )
        new, changed = [], []
        for key, draft in drafts.items():
            values = _fields(draft)
            order = existing.get(key)
            if order is None:
                new.append(Order(number_key=key, **values))
                continue
            if all(getattr(order, name) == value for name, value in values.items()):
                summary.unchanged += 1
                continue
            for name, value in values.items():
                setattr(order, name, value)
            order.imported_at = timezone.now()
            changed.append(order)
        Order.objects.bulk_create(new, batch_size=WRITE_BATCH)
        Order.objects.bulk_update(changed, [*ORDER_FIELDS, "imported_at"], batch_size=WRITE_BATCH)
    summary.created = len(new)
    summary.updated = len(changed)


def import_orders_text(text: str) -> OrderImportSummary:
    """Import from CSV text (tests, uploads)."""
    return import_orders_from(io.StringIO(text, newline=""))
