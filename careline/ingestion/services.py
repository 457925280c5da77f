"""Ingestion: store, de-duplicate, thread. The only write path for inbound items."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from careline.assessments.pipeline_worker import PrecomputedTriage
from careline.assessments.services import SUMMARY_FIELDS, UnsavedCases, assess_messages
from careline.assessments.subjects import SUBJECT_CHARS
from careline.cases import hooks as cases_hooks
from careline.cases.models import CaseEvent, Conversation, EventKind, Priority
from careline.cases.workflow import OPEN_STATUSES, Status
from careline.connectors.base import Action, Connector, ConnectorError, InboundItem, PayloadError
from careline.connectors.registry import META_PLATFORMS, connector_for
from careline.inbox.models import Author, Channel, Customer, Direction, Message, Visibility
from careline.ingestion import bulk
from careline.ingestion.models import EventSource, EventStatus, InboundEvent
from careline.ingestion.threading import KnownMessage, ThreadDecision, decide_thread
from careline.lib.idlists import in_list, pg_array

log = logging.getLogger(__name__)

MAX_EVENT_ATTEMPTS = 5


@dataclass
class IngestResult:
    created: int = 0
    duplicates: int = 0
    conversations_created: int = 0
    changed: int = 0  # edits, deletions, (un)hiding applied to stored items
    ignored: int = 0  # changes to items never stored
    message_ids: list[int] = field(default_factory=list)
    conversation_ids: list[int] = field(default_factory=list)  # cases that got a new message

    def add(self, other: IngestResult) -> None:
        self.created += other.created
        self.changed += other.changed
        self.ignored += other.ignored
        self.duplicates += other.duplicates
        self.conversations_created += other.conversations_created
        self.message_ids.extend(other.message_ids)
        self.conversation_ids.extend(other.conversation_ids)


def ingest_items(
    channel: Channel,
    items: Sequence[InboundItem],
    *,
    precomputed_triage: PrecomputedTriage | None = None,
) -> IngestResult:
    """Store a batch of normalised items, skipping ones already stored, and thread them.

    Idempotent: the same items again add nothing. Runs in one transaction; a batch of a few
    thousand items costs a fixed handful of queries, not a few per item.
    ``precomputed_triage``: pipeline results a bulk import's triage worker computed for these
    items' texts (see ``assess_messages``); without it, triage runs here.
    """
    result = IngestResult()
    additions = [i for i in items if i.action == Action.ADD]
    changes = [i for i in items if i.action != Action.ADD]
    with transaction.atomic():
        if changes:
            # An edit of an item we never stored is the item itself, as it reads now.
            additions += _apply_changes(channel, changes, result)
        fresh = _drop_known(channel, additions, result)
        if not fresh:
            return result
        authors = _authors_for(channel.platform, fresh)
        decisions = _decide_threads(channel, fresh, authors)
        received, settled, new_cases = _store(channel, fresh, authors, decisions, result)
        # Triage in the same transaction: no stored item is ever without its assessment.
        assess_messages(
            result.message_ids, precomputed=precomputed_triage, unsaved_cases=new_cases.unsaved
        )
        new_cases.insert()
        cases_hooks.inbound_stored(result.conversation_ids, now=received, clocks_settled=settled)
    return result


_CHANGE_EVENTS = {
    Action.EDIT: EventKind.MESSAGE_EDITED,
    Action.DELETE: EventKind.MESSAGE_DELETED,
    Action.HIDE: EventKind.MESSAGE_HIDDEN,
    Action.UNHIDE: EventKind.MESSAGE_UNHIDDEN,
}


def _apply_changes(
    channel: Channel, changes: list[InboundItem], result: IngestResult
) -> list[InboundItem]:
    """Apply edits, deletions and (un)hiding reported by the platform to stored items.

    Returns edits of items never stored, to be added as new items. Changes to unknown items
    otherwise are ignored (counted in ``result.ignored``).
    """
    stored = {
        m.external_id: m
        for m in Message.objects.filter(
            channel=channel, external_id__in=[c.external_id for c in changes]
        )
    }
    now = timezone.now()
    unseen_edits: list[InboundItem] = []
    for change in sorted(changes, key=lambda c: c.created_at):
        message = stored.get(change.external_id)
        if message is None:
            if change.action == Action.EDIT:
                unseen_edits.append(dataclasses.replace(change, action=Action.ADD))
            else:
                result.ignored += 1
            continue
        data: dict[str, object] = {"message": change.external_id}
        if change.action == Action.EDIT:
            if change.text == message.text:
                result.duplicates += 1
                continue
            data["previous_text"] = message.text
            message.text, message.edited_at = change.text, now
        elif change.action == Action.DELETE:
            if message.deleted_at is not None:
                result.duplicates += 1
                continue
            message.deleted_at = now
        else:
            hiding = change.action == Action.HIDE
            if (message.hidden_at is not None) == hiding:
                result.duplicates += 1
                continue
            message.hidden_at = now if hiding else None
        message.save(update_fields=["text", "edited_at", "deleted_at", "hidden_at"])
        CaseEvent.objects.create(
            conversation_id=message.conversation_id,
            kind=_CHANGE_EVENTS[change.action],
            reason=f"reported by {channel.get_platform_display()}",
            data=data,
            created_at=now,
        )
        result.changed += 1
    return unseen_edits


def _drop_known(
    channel: Channel, items: Sequence[InboundItem], result: IngestResult
) -> list[InboundItem]:
    unique: dict[str, InboundItem] = {}
    for item in items:
        if item.external_id in unique:
            result.duplicates += 1
        else:
            unique[item.external_id] = item
    known = set(
        Message.objects.filter(in_list("external_id", unique), channel=channel)
        .order_by()  # a set: no need for the model's default ordering
        .values_list("external_id", flat=True)
    )
    result.duplicates += len(known)
    fresh = [item for key, item in unique.items() if key not in known]
    # Oldest first, so a parent delivered in the same batch is threaded before its replies.
    fresh.sort(key=lambda item: item.created_at)
    return fresh


def _authors_for(platform: str, items: Iterable[InboundItem]) -> dict[str, int]:
    """The author id of every item's author, storing new people (and their customer record)."""
    wanted: dict[str, InboundItem] = {}
    for item in items:
        wanted.setdefault(item.author_id, item)
    # The newest follower count of each person in the batch (items may come in any order).
    reach: dict[str, tuple[datetime, int]] = {}
    for item in items:
        if item.author_followers is not None:
            seen = reach.get(item.author_id)
            if seen is None or item.created_at >= seen[0]:
                reach[item.author_id] = (item.created_at, item.author_followers)
    found = dict(
        Author.objects.filter(in_list("external_id", wanted), platform=platform).values_list(
            "external_id", "pk"
        )
    )
    missing = [wanted[key] for key in wanted if key not in found]
    if missing:
        now = bulk.adapt_datetime(timezone.now())
        customer_ids = bulk.allocate_ids(Customer, len(missing))
        bulk.insert_rows(
            Customer,
            ("id", "display_name", "email", "notes", "created_at"),
            [
                (pk, (i.author_name or i.author_handle or i.author_id)[:200], "", "", now)
                for pk, i in zip(customer_ids, missing, strict=True)
            ],
        )
        author_ids = bulk.allocate_ids(Author, len(missing))
        bulk.insert_rows(
            Author,
            (
                "id",
                "platform",
                "external_id",
                "handle",
                "name",
                "customer",
                "created_at",
                "followers",
            ),
            [
                (
                    pk,
                    platform,
                    i.author_id,
                    i.author_handle,
                    i.author_name,
                    customer,
                    now,
                    reach[i.author_id][1] if i.author_id in reach else None,
                )
                for pk, customer, i in zip(author_ids, customer_ids, missing, strict=True)
            ],
            # A concurrent batch may have stored the same person a moment ago.
            ignore_conflicts=True,
        )
        found.update(
            Author.objects.filter(
                in_list("external_id", [i.author_id for i in missing]), platform=platform
            ).values_list("external_id", "pk")
        )
    _refresh_reach(found, reach, skip={i.author_id for i in missing})
    return found


def _refresh_reach(
    found: dict[str, int], reach: dict[str, tuple[datetime, int]], *, skip: set[str]
) -> None:
    """Keep known people's follower counts current (one UPDATE per changed person; most
    batches carry none, and a person's count rarely changes between their posts)."""
    wanted = {found[key]: count for key, (_, count) in reach.items() if key not in skip}
    if not wanted:
        return
    current = dict(Author.objects.filter(in_list("pk", wanted)).values_list("pk", "followers"))
    for pk, count in wanted.items():
        if current.get(pk) != count:
            Author.objects.filter(pk=pk).update(followers=count)


def _decide_threads(
    channel: Channel, items: list[InboundItem], authors: dict[str, int]
) -> list[ThreadDecision]:
    reply_targets = {i.reply_to for i in items if i.reply_to}
    by_external_id: dict[str, KnownMessage] = {}
    by_thread_root: dict[str, KnownMessage] = {}
    # Replies stored before their parent carry the parent's id as thread root.
    tops = [i.external_id for i in items if not i.reply_to]
    # In Message's order (created_at, id): the latest message of a thread root wins.
    for root, conversation_id, status in Message.objects.filter(
        in_list("thread_root", tops), channel=channel
    ).values_list("thread_root", "conversation_id", "conversation__status"):
        by_thread_root[root] = KnownMessage(conversation_id, root, status == Status.CLOSED)
    if reply_targets:
        parents = (
            Message.objects.filter(channel=channel)
            .filter(in_list("external_id", reply_targets))
            .values_list("external_id", "conversation_id", "thread_root", "conversation__status")
        )
        for external_id, conversation_id, root, status in parents:
            by_external_id[str(external_id)] = KnownMessage(
                conversation_id, root, status == Status.CLOSED
            )
        orphans = [t for t in reply_targets if t not in by_external_id]
        if orphans:
            siblings = Message.objects.filter(
                in_list("thread_root", orphans), channel=channel
            ).values_list("thread_root", "conversation_id", "conversation__status")
            for root, conversation_id, status in siblings:
                by_thread_root[root] = KnownMessage(conversation_id, root, status == Status.CLOSED)
    private_authors = {i.author_id for i in items if not i.public}
    open_of_author: dict[str, int | str] = {}
    if private_authors:
        # Any open case the person wrote in, not only ones they started: in a pile-on, their
        # first post may have joined someone else's case.
        # By author id, not by joining on the platform identity: an indexed lookup whatever
        # the planner believes about a table that grew a moment ago.
        cases_of_author = (
            Message.objects.filter(
                in_list("author_id", [authors[a] for a in private_authors]),
                direction=Direction.INBOUND,
                conversation__status__in=list(OPEN_STATUSES),
            )
            .order_by("created_at", "id")
            .values_list("author_id", "conversation_id")
        )
        external_of = {pk: external for external, pk in authors.items()}
        # Ordered, so the most recent case wins.
        open_of_author.update((external_of[a], c) for a, c in cases_of_author)

    decisions = []
    for item in items:
        decision = decide_thread(
            item,
            by_external_id=by_external_id,
            by_thread_root=by_thread_root,
            open_conversation_of_author=open_of_author,
        )
        if decision.conversation is None:
            # A case born in this batch: later items of the batch may join it.
            decision = ThreadDecision(
                f"new:{item.external_id}", decision.thread_root, decision.reason
            )
        known = KnownMessage(decision.conversation, decision.thread_root, False)  # type: ignore[arg-type]
        by_external_id[item.external_id] = known
        by_thread_root.setdefault(decision.thread_root, known)
        open_of_author[item.author_id] = decision.conversation  # type: ignore[assignment]
        decisions.append(decision)
    return decisions


@dataclass
class _NewCases:
    """The batch's new cases, inserted after their messages are assessed, with their triage
    summary (``UnsavedCases``): one write per new case row, not two."""

    rows: list[tuple[Any, ...]]
    unsaved: UnsavedCases

    def insert(self) -> None:
        at = bulk.datetime_adapter()
        summary_of = self.unsaved.summary_columns
        rows = []
        for row in self.rows:
            *summary, triaged_at = summary_of(row[0])
            rows.append((*row, *summary, at(triaged_at)))
        bulk.insert_rows(Conversation, (*_CASE_FIELDS, *SUMMARY_FIELDS), rows)


_CASE_FIELDS = (
    "id",
    "channel",
    "author",
    "subject",
    "visibility",
    "status",
    "priority",
    "message_count",
    "created_at",
    "last_message_at",
    "last_inbound_at",
    "new_at",
    *cases_hooks.NEW_CASE_COLUMNS,
)


def _store(
    channel: Channel,
    items: list[InboundItem],
    authors: dict[str, int],
    decisions: list[ThreadDecision],
    result: IngestResult,
) -> tuple[datetime, frozenset[int], _NewCases]:
    """Insert the batch's messages and case events; its new cases are returned to be inserted
    once triaged (``_NewCases.insert``: the messages' foreign keys to them are checked at
    commit). Also returns when the batch was received and the new cases whose clocks need no
    refresh (``new_case_columns``).

    New cases are inserted with what the ``inbound_stored`` hooks would set on them right after
    (``cases.hooks.new_case_columns``): one write per new case row, not two more.
    """
    now = timezone.now()
    at = bulk.datetime_adapter()
    received = at(now)

    # New cases: one row each, with counters already summed over the batch.
    new_cases: dict[str, list[InboundItem]] = {}
    for item, decision in zip(items, decisions, strict=True):
        if isinstance(decision.conversation, str):
            new_cases.setdefault(decision.conversation, []).append(item)
    case_ids = dict(zip(new_cases, bulk.allocate_ids(Conversation, len(new_cases)), strict=True))
    hooked = cases_hooks.new_case_columns(
        [
            cases_hooks.NewCase(
                id=case_ids[key],
                channel=channel.name,
                created_at=batch[0].created_at,
                last_inbound_at=batch[-1].created_at,
                addressed=any(not item.indirect for item in batch),
            )
            for key, batch in new_cases.items()
        ],
        now=now,
    )
    case_rows = []
    for key, batch in new_cases.items():
        first, last = batch[0], batch[-1]
        policy, waiting, due, warn, followup = hooked.values[case_ids[key]]
        case_rows.append(
            (
                case_ids[key],
                channel.pk,
                authors[first.author_id],
                first.text[:SUBJECT_CHARS],
                Visibility.PUBLIC if first.public else Visibility.PRIVATE,
                Status.NEW,
                Priority.NORMAL,
                len(batch),
                at(first.created_at),
                at(last.created_at),
                at(last.created_at),
                received,
                policy,
                at(waiting),
                at(due),
                at(warn),
                at(followup),
            )
        )
    unsaved = UnsavedCases(
        {
            case_ids[key]: (authors[batch[0].author_id], batch[0].created_at)
            for key, batch in new_cases.items()
        }
    )
    result.conversations_created = len(new_cases)

    message_ids = bulk.allocate_ids(Message, len(items))
    as_json = bulk.json_adapter()
    no_extra = as_json({})
    message_rows = []
    event_rows = []
    existing: dict[int, list[InboundItem]] = {}
    for pk, item, decision in zip(message_ids, items, decisions, strict=True):
        target = decision.conversation
        conversation_id: int
        if isinstance(target, str):
            conversation_id = case_ids[target]
            first_of_case = target == f"new:{item.external_id}"
        else:
            assert target is not None  # every decision names a case by now
            conversation_id = target
            first_of_case = False
            existing.setdefault(target, []).append(item)
        message_rows.append(
            (
                pk,
                channel.pk,
                conversation_id,
                authors[item.author_id],
                Direction.INBOUND,
                Visibility.PUBLIC if item.public else Visibility.PRIVATE,
                item.text,
                item.external_id,
                item.reply_to,
                decision.thread_root,
                at(item.created_at),
                received,
                item.kind,
                item.indirect,
                no_extra if not item.extra else as_json(dict(item.extra)),
            )
        )
        event_rows.append(
            (
                conversation_id,
                EventKind.CREATED if first_of_case else EventKind.MESSAGE_RECEIVED,
                decision.reason,
                as_json({"message": item.external_id, "channel": channel.name}),
                received,
            )
        )
    bulk.insert_rows(
        Message,
        (
            "id",
            "channel",
            "conversation",
            "author",
            "direction",
            "visibility",
            "text",
            "external_id",
            "reply_to_external_id",
            "thread_root",
            "created_at",
            "received_at",
            "platform_kind",
            "indirect",
            "extra",
        ),
        message_rows,
    )
    result.created = len(message_rows)
    result.message_ids = message_ids
    result.conversation_ids = sorted({row[2] for row in message_rows})

    reopen_events: list[CaseEvent] = []
    if existing:
        _touch_existing(existing, now, reopen_events)
    bulk.insert_rows(
        CaseEvent, ("conversation", "kind", "reason", "data", "created_at"), event_rows
    )
    if reopen_events:
        CaseEvent.objects.bulk_create(reopen_events)
    return now, hooked.clocks_settled, _NewCases(case_rows, unsaved)


def _touch_existing(
    touched: dict[int, list[InboundItem]], now: datetime, events: list[CaseEvent]
) -> None:
    """Count new messages into cases stored earlier: one statement, atomic increments (on
    PostgreSQL one statement over arrays, where executemany pays a round trip per case)."""
    at = bulk.datetime_adapter()
    qn = connection.ops.quote_name
    table = qn(Conversation._meta.db_table)
    if connection.vendor == "postgresql":
        ids = list(touched)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS c SET message_count = c.message_count + v.n, "  # noqa: S608
                "last_message_at = greatest(c.last_message_at, v.last), last_inbound_at = v.last "
                "FROM unnest(string_to_array(%s, ',')::bigint[], string_to_array(%s, ',')::int[], "
                "%s::timestamptz[]) AS v(id, n, last) WHERE c.id = v.id",
                [
                    ",".join(map(str, ids)),
                    ",".join(str(len(touched[pk])) for pk in ids),
                    pg_array([touched[pk][-1].created_at for pk in ids]),
                ],
            )
    else:
        greatest = "max" if connection.vendor == "sqlite" else "greatest"
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET message_count = message_count + %s, "  # noqa: S608
                f"last_message_at = {greatest}(last_message_at, %s), last_inbound_at = %s "
                "WHERE id = %s",
                [
                    (len(batch), at(batch[-1].created_at), at(batch[-1].created_at), pk)
                    for pk, batch in touched.items()
                ],
            )
    # A person writing again after we resolved their case: it needs us again.
    reopened = list(
        Conversation.objects.filter(in_list("pk", touched), status=Status.RESOLVED).values_list(
            "pk", flat=True
        )
    )
    if reopened:
        Conversation.objects.filter(pk__in=reopened).update(status=Status.OPEN, open_at=now)
        events.extend(
            CaseEvent(
                conversation_id=pk,
                kind=EventKind.REOPENED,
                reason="the customer wrote again after the case was resolved",
                data={"from": Status.RESOLVED, "to": Status.OPEN},
                created_at=now,
            )
            for pk in reopened
        )


# --- webhook deliveries -----------------------------------------------------------------------


class DuplicateDelivery(Exception):
    pass


def dedupe_key_for(body: bytes, delivery_id: str | None) -> str:
    if delivery_id:
        return "id:" + delivery_id.strip()[:120]
    return "sha256:" + hashlib.sha256(body).hexdigest()


def store_inbound_event(
    channel: Channel, *, body: bytes, source: str = EventSource.WEBHOOK, delivery_id: str | None
) -> InboundEvent:
    """Store a verified delivery as received and queue its processing.

    Raises DuplicateDelivery when the same delivery was stored before (nothing is written).
    """
    from careline.ingestion import tasks

    key = dedupe_key_for(body, delivery_id)
    same_database_queue = tasks_share_the_database()
    try:
        with transaction.atomic():
            event = InboundEvent.objects.create(
                channel=channel,
                source=source,
                dedupe_key=key,
                payload=body.decode("utf-8"),
            )
            if same_database_queue:
                # The queue is a table in this database: the task commits with the event, in
                # one write (the webhook's hot path), and neither exists without the other.
                tasks.process_inbound_event.enqueue(event.pk)
    except IntegrityError as exc:
        raise DuplicateDelivery(key) from exc
    if not same_database_queue:
        transaction.on_commit(lambda: tasks.process_inbound_event.enqueue(event.pk))
    return event


def tasks_share_the_database() -> bool:
    """True when the task queue is the ORM queue on the default database."""
    config: dict[str, Any] = settings.TASKS.get("default", {})
    options: dict[str, Any] = config.get("OPTIONS", {})
    return (
        config.get("BACKEND") == "django_tasks_db.DatabaseBackend"
        and options.get("database", "default") == "default"
    )


def process_inbound_event(event_id: int) -> IngestResult | None:
    """Turn a stored delivery into messages. Safe to run twice; returns None if already done."""
    with transaction.atomic():
        claimed = InboundEvent.objects.filter(pk=event_id, status=EventStatus.PENDING).update(
            attempts=F("attempts") + 1
        )
    if not claimed:
        return None
    event = InboundEvent.objects.select_related("channel").get(pk=event_id)
    body = event.payload.encode("utf-8")
    try:
        result = IngestResult()
        for channel in _channels_for_delivery(event.channel, body):
            connector = connector_for(
                channel.platform, credentials=channel.credentials, account_id=channel.external_id
            )
            items = connector.parse(body, max_text_chars=settings.CARELINE_MAX_TEXT_CHARS)
            result.add(ingest_items(channel, [_completed(connector, item) for item in items]))
    except PayloadError as exc:
        # Malformed: retrying cannot help. The raw payload stays for a person to look at.
        _finish_event(event_id, EventStatus.FAILED, error=f"rejected: {exc}")
        return None
    except Exception as exc:
        failed = event.attempts >= MAX_EVENT_ATTEMPTS
        _finish_event(
            event_id,
            EventStatus.FAILED if failed else EventStatus.PENDING,
            error=f"{type(exc).__name__}: {exc}",
        )
        log.exception("processing inbound event %s failed", event_id)
        raise
    _finish_event(event_id, EventStatus.DONE, error="", created=result.created)
    return result


def _completed(connector: Connector, item: InboundItem) -> InboundItem:
    """The item with what its delivery left out (an Instagram mention's text and author).

    A failed look-up keeps the item, marked, rather than losing the mention.
    """
    complete = getattr(connector, "complete", None)
    if complete is None or not item.extra.get("needs_fetch"):
        return item
    try:
        completed: InboundItem = complete(item, timeout=settings.CARELINE_OUTBOUND_TIMEOUT)
    except ConnectorError as exc:
        log.warning("could not complete %s: %s", item.external_id, exc)
        return dataclasses.replace(item, extra={**item.extra, "fetch_error": str(exc)[:500]})
    return completed


def _channels_for_delivery(receiver: Channel, body: bytes) -> list[Channel]:
    """The channels a delivery concerns.

    A Meta app posts one delivery for a Page's comments (the Facebook channel) and its
    messages (the Messenger channel), and may serve several Pages and Instagram accounts: each
    connector takes its own part, so the delivery goes to every Meta channel it names.
    """
    if receiver.platform not in META_PLATFORMS:
        return [receiver]
    from careline.connectors.meta.payloads import entry_account_ids

    accounts = set(entry_account_ids(body))
    named = [
        channel
        for channel in Channel.objects.filter(
            platform__in=META_PLATFORMS, external_id__in=accounts, is_active=True
        ).order_by("pk")
    ]
    return named or [receiver]


def _finish_event(event_id: int, status: str, *, error: str, created: int = 0) -> None:
    InboundEvent.objects.filter(pk=event_id).update(
        status=status,
        processed_at=timezone.now() if status != EventStatus.PENDING else None,
        last_error=error[:2000],
        items_created=created,
    )


def sweep_inbound_events(*, older_than_seconds: int | None = None) -> int:
    """Queue again every pending event no task has finished. Returns how many were queued."""
    from careline.ingestion import tasks

    age = (
        settings.CARELINE_SWEEP_AFTER_SECONDS if older_than_seconds is None else older_than_seconds
    )
    cutoff = timezone.now() - timedelta(seconds=age)
    ids = list(
        InboundEvent.objects.filter(
            status=EventStatus.PENDING, received_at__lte=cutoff, attempts__lt=MAX_EVENT_ATTEMPTS
        ).values_list("pk", flat=True)[:5000]
    )
    for event_id in ids:
        tasks.process_inbound_event.enqueue(event_id)
    return len(ids)
