"""Follow-up: reminders, resolution checks, satisfaction surveys, success stories.

The only write path for ``careline.followup``; every change appends a CaseEvent with a reason a
person can read. Messages to the customer go through the outbox (``queue_reply``) as careline's
own (``actor=None``), with the playbook's wording (``careline.replies.drafting``). See
docs/followup.md.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from careline.accounts.models import User
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.cases.services import CaseActionError, transition_case
from careline.cases.workflow import OPEN_STATUSES, Status
from careline.followup import conf
from careline.followup.models import (
    MAX_COMMENT_CHARS,
    MAX_STORY_CHARS,
    StoryStatus,
    SuccessStory,
    Survey,
    SurveyDelivery,
)
from careline.followup.stories import (
    StoryFacts,
    compose_story,
    first_initial,
    private_data_types,
)
from careline.inbox.models import Direction, Message
from careline.lib.idlists import in_list
from careline.replies.models import OutboundMessage
from careline.replies.services import queue_reply
from careline.workflow.signing import (
    InvalidToken,
    SurveyClaim,
    make_survey_token,
    new_nonce,
    read_survey_token,
    redeem_survey_token,
)

log = logging.getLogger(__name__)

LOW_SCORE = 2  # 1-2: the customer is unhappy, someone looks again
STORY_SCORE = 4  # 4-5: we may ask whether their story may be told
# Triage kinds we never send a survey or story request to.
NO_SURVEY_KINDS = {"spam": "the case was triaged as spam", "troll": "the case was abuse"}
_OPEN = [str(s) for s in OPEN_STATUSES]

# Used only while careline.replies.drafting is not installed; each says what it is, plainly.
_FALLBACK_WORDING = {
    "satisfaction_ask": (
        "Thanks for your patience. How did we do? Tell us in one click (1 to 5), it takes "
        "a few seconds: {survey_link}"
    ),
    "resolution_check": (
        "We think this should sort it out. Does that solve it for you? Just reply here and "
        "let us know."
    ),
    "follow_up": (
        "Checking in: did our last suggestion solve it for you? If anything is still not "
        "right, reply here and we will pick it up."
    ),
    "story_consent": (
        "Thanks for the kind rating! Would you be happy for us to share your experience, "
        "anonymously (first initial only), as a short customer story? Reply yes or no, "
        "either is fine."
    ),
}


class SurveyInputError(ValueError):
    """The survey answer is not valid; the message says why, for the customer."""


# --- wording -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wording:
    text: str
    reason: str


def draft_text(
    conversation: Conversation, *, purpose: str, extra: dict[str, Any], public: bool = False
) -> Wording:
    """The playbook's message for ``purpose`` (``public``: worded for a public reply, with no
    order details), or careline's built-in wording when no playbook can draft it (the reason
    says which and why)."""
    try:
        from careline.replies.drafting import DraftError, draft_reply
    except ImportError:
        return _fallback(purpose, extra, "no playbook drafting installed")
    try:
        draft = draft_reply(conversation, purpose=purpose, extra=extra, public=public)
    except DraftError as exc:
        return _fallback(purpose, extra, str(exc))
    text = draft.text
    link = extra.get("survey_link")
    # The survey is useless without its link: never send a draft that lost it.
    if link and link not in text:
        text = f"{text.rstrip()}\n{link}"
    return Wording(text, f"playbook {draft.playbook}: {draft.reason}")


def _fallback(purpose: str, extra: dict[str, Any], why: str) -> Wording:
    text = _FALLBACK_WORDING[purpose].format(**{"survey_link": "", **extra})
    return Wording(text.strip(), f"built-in {purpose} wording ({why})")


# --- hooks (called from careline.cases.hooks, inside the caller's transaction) ------------


def on_inbound_stored(conversation_ids: Sequence[int], *, now: datetime | None = None) -> None:
    """The customer wrote (at ``now``, default: now): a case not already waiting on us is due a
    reminder after the interval. Items found by listening (``indirect``) do not count: nobody
    asked us."""
    now = now or timezone.now()
    addressed = Message.objects.filter(
        conversation=OuterRef("pk"), direction=Direction.INBOUND, indirect=False
    )
    Conversation.objects.filter(
        in_list("pk", conversation_ids), status__in=_OPEN, followup_due_at__isnull=True
    ).filter(Exists(addressed)).update(followup_due_at=now + conf.reminder_interval())


def new_case_followup_due(*, addressed: bool, now: datetime) -> datetime | None:
    """``followup_due_at`` of an open case about to be inserted by ingestion, as
    ``on_inbound_stored(…, now=now)`` sets it right after (``addressed``: one of its messages is
    not ``indirect``). Inserted with the case, it spares rewriting the new row."""
    return now + conf.reminder_interval() if addressed else None


def on_reply_queued(conversation_id: int, *, system: bool) -> None:
    """Someone of the team answered: nothing waits on us. careline's own messages (a survey
    link, a notice) are not an answer."""
    if not system:
        Conversation.objects.filter(pk=conversation_id, followup_due_at__isnull=False).update(
            followup_due_at=None
        )


def on_status_changed(conversation_id: int, *, to: str, at: datetime) -> None:
    """Resolved or closed: no reminders. Resolved: the survey goes out after commit."""
    if to not in (Status.RESOLVED, Status.CLOSED):
        return
    Conversation.objects.filter(pk=conversation_id, followup_due_at__isnull=False).update(
        followup_due_at=None
    )
    if to == Status.RESOLVED:
        from careline.followup import tasks

        transaction.on_commit(
            lambda: tasks.send_survey.enqueue(conversation_id, at.isoformat()), robust=True
        )


# --- satisfaction survey -------------------------------------------------------------------


def survey_url(token: str) -> str:
    return settings.CARELINE_BASE_URL.rstrip("/") + reverse("survey", args=[token])


def _survey_blocker(case: Conversation) -> str:
    """Why this case gets no survey, or ""."""
    if case.no_reply_at is not None:
        return "the case was resolved with a decision not to reply"
    if case.triage_kind in NO_SURVEY_KINDS:
        return NO_SURVEY_KINDS[case.triage_kind]
    inbound = case.messages.filter(direction=Direction.INBOUND, indirect=False)
    if not inbound.filter(author__isnull=False).exists():
        return "nobody wrote to us in this case"
    if not case.messages.filter(direction=Direction.OUTBOUND, sent_by__isnull=False).exists():
        return "nobody from the team was in contact with the customer"
    return ""


def _note(case: Conversation, reason: str, **data: Any) -> CaseEvent:
    """A record entry by careline itself (no person took this decision)."""
    return CaseEvent.objects.create(
        conversation=case, kind=EventKind.NOTE, actor=None, reason=reason, data=data
    )


def _deliver(
    case: Conversation, *, purpose: str, extra: dict[str, Any], allow_public: bool
) -> tuple[OutboundMessage | None, str, str, Wording]:
    """Queue the ``purpose`` message privately, else (reworded for the public) publicly when
    ``allow_public``. Returns (outbound, delivery, why it could not go privately or at all,
    the wording used)."""
    wording = draft_text(case, purpose=purpose, extra=extra, public=False)
    try:
        outbound = queue_reply(case, text=wording.text, public=False, actor=None)
    except CaseActionError as exc:
        private_refused = str(exc)
    else:
        return outbound, SurveyDelivery.PRIVATE, "", wording
    if not allow_public:
        return None, SurveyDelivery.NOT_SENT, private_refused, wording
    wording = draft_text(case, purpose=purpose, extra=extra, public=True)
    try:
        outbound = queue_reply(case, text=wording.text, public=True, actor=None)
    except CaseActionError as exc:
        return None, SurveyDelivery.NOT_SENT, f"{private_refused}; in public: {exc}", wording
    return outbound, SurveyDelivery.PUBLIC, private_refused, wording


def send_survey(conversation: Conversation) -> Survey | None:
    """Send the satisfaction survey for the case's current resolution, once.

    Returns the survey (also one that could not be delivered: ``delivery=not_sent`` with the
    reason, recorded in the case), or None when the case is no longer resolved or gets no
    survey (a decision not to reply, spam, no contact: the reason is recorded once).
    Safe to run twice: a second call returns the first survey.
    """
    with transaction.atomic():
        case = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("channel")
            .get(pk=conversation.pk)
        )
        if case.status != Status.RESOLVED or case.resolved_at is None:
            return None
        resolved_at = case.resolved_at
        existing = Survey.objects.filter(conversation=case, resolved_at=resolved_at).first()
        if existing is not None:
            return existing
        blocker = _survey_blocker(case)
        if blocker:
            stamp = resolved_at.isoformat()
            if not case.events.filter(kind=EventKind.NOTE, data__survey_skipped=stamp).exists():
                _note(case, f"No satisfaction survey: {blocker}.", survey_skipped=stamp)
            return None
        now = timezone.now()
        nonce = new_nonce()
        expires_at = now + conf.survey_expiry()
        token = make_survey_token(conf.survey_key(), case.pk, nonce, expires_at)
        # A link in public can be answered by anyone who sees it; only where there is no
        # private way at all (docs/followup.md).
        allow_public = case.channel.platform in conf.public_fallback_platforms()
        outbound, delivery, refused, wording = _deliver(
            case,
            purpose="satisfaction_ask",
            extra={"survey_link": survey_url(token)},
            allow_public=allow_public,
        )
        survey = Survey.objects.create(
            conversation=case,
            resolved_at=resolved_at,
            nonce=nonce,
            sent_at=now,
            expires_at=expires_at,
            delivery=delivery,
            not_sent_reason=refused if delivery == SurveyDelivery.NOT_SENT else "",
            channel=outbound.channel if outbound else case.channel,
            outbound=outbound,
        )
        if delivery == SurveyDelivery.NOT_SENT:
            _note(
                case,
                f"Satisfaction survey not sent: {refused}",
                survey=survey.pk,
                survey_not_sent=True,
            )
            return survey
        how = "by private message" if delivery == SurveyDelivery.PRIVATE else "in a public reply"
        if delivery == SurveyDelivery.PUBLIC:
            how += f" (no private message possible: {refused})"
        CaseEvent.objects.create(
            conversation=case,
            kind=EventKind.SURVEY_SENT,
            actor=None,
            reason=f"Satisfaction survey sent {how}; link valid until "
            f"{expires_at:%Y-%m-%d %H:%M} UTC. Wording: {wording.reason}",
            data={
                "survey": survey.pk,
                "delivery": delivery,
                "outbound": outbound.pk if outbound else None,
                "expires_at": expires_at.isoformat(),
            },
            created_at=now,
        )
    return survey


class SurveyLedger:
    """The ``TokenLedger`` of docs/sla.md, storing the answer in the same atomic step:
    ``UPDATE survey SET used_at, score, comment WHERE nonce AND conversation AND used_at IS
    NULL``; one row changed means this request answered, none means it was answered before
    (or never issued, or never delivered)."""

    def __init__(self, *, score: int, comment: str) -> None:
        self.score = score
        self.comment = comment

    def mark_used(self, nonce: str, *, conversation_id: int, now: datetime) -> bool:
        changed = (
            Survey.objects.filter(
                nonce=nonce, conversation_id=conversation_id, used_at__isnull=True
            )
            .exclude(delivery=SurveyDelivery.NOT_SENT)
            .update(used_at=now, score=self.score, comment=self.comment)
        )
        return changed == 1


def clean_answer(score: Any, comment: Any) -> tuple[int, str]:
    """Validate an answer. Raises SurveyInputError (the message is for the customer)."""
    if isinstance(score, bool):
        raise SurveyInputError("Choose a score from 1 to 5.")
    try:
        value = int(str(score).strip())
    except (TypeError, ValueError):
        raise SurveyInputError("Choose a score from 1 to 5.") from None
    if not 1 <= value <= 5:
        raise SurveyInputError("Choose a score from 1 to 5.")
    text = str(comment or "").strip()
    if len(text) > MAX_COMMENT_CHARS:
        raise SurveyInputError(f"The comment is limited to {MAX_COMMENT_CHARS} characters.")
    if "\x00" in text:
        raise SurveyInputError("The comment contains characters we cannot store.")
    return value, text


def read_survey(token: str, *, now: datetime | None = None) -> tuple[SurveyClaim, Survey]:
    """The survey a link points to, without using it up. Raises InvalidToken (malformed,
    bad_signature, expired); a survey that was never delivered reads as bad_signature."""
    claim = read_survey_token(
        conf.survey_key(),
        token,
        now or timezone.now(),
        previous_secrets=conf.previous_survey_keys(),
    )
    survey = (
        Survey.objects.select_related("conversation", "channel")
        .filter(nonce=claim.nonce, conversation_id=claim.conversation_id)
        .exclude(delivery=SurveyDelivery.NOT_SENT)
        .first()
    )
    if survey is None:
        raise InvalidToken("bad_signature", "no survey was sent with this link")
    return claim, survey


def submit_survey(token: str, *, score: Any, comment: Any) -> Survey:
    """Record the customer's answer, once per link.

    Raises SurveyInputError for an invalid answer (nothing stored, the link stays usable) and
    InvalidToken for a link that is forged, altered, expired or already used (``reused``).
    A low score (1-2) calls for attention: a reminder in the case and a follow-up due time;
    a high one (4-5) leads to the success-story consent question after commit.
    """
    value, text = clean_answer(score, comment)
    now = timezone.now()
    with transaction.atomic():
        claim = redeem_survey_token(
            conf.survey_key(),
            token,
            now,
            ledger=SurveyLedger(score=value, comment=text),
            previous_secrets=conf.previous_survey_keys(),
        )
        survey = Survey.objects.select_related("conversation").get(nonce=claim.nonce)
        case = survey.conversation
        CaseEvent.objects.create(
            conversation=case,
            kind=EventKind.SURVEY_ANSWERED,
            actor=None,
            reason=f"The customer rated our help {value} out of 5"
            + (" and left a comment" if text else ""),
            data={"survey": survey.pk, "score": value, "has_comment": bool(text)},
            created_at=now,
        )
        if value <= LOW_SCORE:
            due = now + conf.reminder_interval()
            Conversation.objects.filter(pk=case.pk).update(followup_due_at=due)
            CaseEvent.objects.create(
                conversation=case,
                kind=EventKind.REMINDER,
                actor=None,
                reason=f"Low satisfaction score ({value}/5): look at the case again and follow "
                f"up with the customer; reminder due {due:%Y-%m-%d %H:%M} UTC",
                data={
                    "low_score": value,
                    "survey": survey.pk,
                    "assignee": case.assignee.username if case.assignee else None,
                },
                created_at=now,
            )
        elif value >= STORY_SCORE:
            from careline.followup import tasks

            transaction.on_commit(lambda: tasks.ask_story_consent.enqueue(case.pk), robust=True)
    return survey


# --- resolution check ----------------------------------------------------------------------


def ask_resolution_check(conversation: Conversation, *, actor: User) -> CaseEvent:
    """The agent proposes a resolution: ask the customer whether it is acceptable.

    Sends the playbook's resolution_check message (privately, else in public where the
    customer spoke in public: the question reveals nothing), records ``resolution_proposed_at``
    and moves an open case to pending (waiting on the customer). Raises CaseActionError.
    """
    if not conversation.is_open:
        raise CaseActionError(
            f"the case is {conversation.status}; a resolution is proposed on an open case"
        )
    with transaction.atomic():
        case = Conversation.objects.select_for_update().get(pk=conversation.pk)
        outbound, delivery, refused, wording = _deliver(
            case, purpose="resolution_check", extra={}, allow_public=True
        )
        if outbound is None:
            raise CaseActionError(f"the question could not be sent: {refused}")
        now = timezone.now()
        Conversation.objects.filter(pk=case.pk).update(resolution_proposed_at=now)
        event = CaseEvent.objects.create(
            conversation=case,
            kind=EventKind.RESOLUTION_CHECK,
            actor=actor,
            reason=f"Resolution proposed; asked the customer whether it is acceptable "
            f"({'privately' if delivery == SurveyDelivery.PRIVATE else 'in public'}). "
            f"Wording: {wording.reason}",
            data={"outbound": outbound.pk, "delivery": delivery},
            created_at=now,
        )
        if case.status in (Status.NEW, Status.OPEN):
            transition_case(
                case,
                to=Status.PENDING,
                actor=actor,
                reason="resolution proposed: waiting for the customer's answer",
            )
    conversation.resolution_proposed_at = now
    return event


# --- reminders -----------------------------------------------------------------------------


def _newest(direction: str, **more: Any) -> Subquery:
    return Subquery(
        Message.objects.filter(conversation=OuterRef("pk"), direction=direction, **more)
        .order_by("-created_at")
        .values("created_at")[:1]
    )


def _waiting_on_us(case: Conversation) -> bool:
    """The customer wrote last: their newest addressed message is newer than the team's
    newest reply. Reads the ``last_in``/``last_out`` the sweep's query annotated."""
    last_in = getattr(case, "last_in", None)
    last_out = getattr(case, "last_out", None)
    return last_in is not None and (last_out is None or last_in > last_out)


def _unhappy_unanswered(case: Conversation) -> int | None:
    """The low score of this resolution's survey when nobody replied after it, else None."""
    survey = (
        Survey.objects.filter(conversation=case, used_at__isnull=False, score__lte=LOW_SCORE)
        .order_by("-used_at")
        .first()
    )
    if survey is None or survey.used_at is None:
        return None
    replied = case.messages.filter(
        direction=Direction.OUTBOUND, sent_by__isnull=False, created_at__gt=survey.used_at
    ).exists()
    return None if replied else survey.score


def _remind(case: Conversation, now: datetime) -> str:
    """One reminder for the case's due time; returns what happened."""
    due = case.followup_due_at
    assert due is not None
    if case.status in _OPEN and _waiting_on_us(case):
        why = "the customer is waiting for our answer"
    elif case.status == Status.RESOLVED and (score := _unhappy_unanswered(case)) is not None:
        why = f"the customer rated our help {score}/5 and nobody has followed up"
    else:
        # Nothing waits on us any more (answered elsewhere, decided not to reply): stop.
        Conversation.objects.filter(pk=case.pk, followup_due_at=due).update(followup_due_at=None)
        return "cleared"
    following = now + conf.reminder_interval()
    # The conditional update is the claim: one reminder per due time, however many sweeps.
    if not Conversation.objects.filter(pk=case.pk, followup_due_at=due).update(
        followup_due_at=following
    ):
        return "taken"
    who = case.assignee.username if case.assignee else None
    CaseEvent.objects.create(
        conversation=case,
        kind=EventKind.REMINDER,
        actor=None,
        reason=f"Reminder for {who or 'the team (unassigned)'}: {why} (due "
        f"{due:%Y-%m-%d %H:%M} UTC); next reminder {following:%Y-%m-%d %H:%M} UTC",
        data={"due": due.isoformat(), "assignee": who, "next_due": following.isoformat()},
        created_at=now,
    )
    return "reminded"


def _follow_up_resolution(case: Conversation, now: datetime) -> str:
    """Ask once more, once, when a proposed resolution got no answer."""
    proposed = case.resolution_proposed_at
    assert proposed is not None
    stamp = proposed.isoformat()
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=case.pk)
        if locked.resolution_proposed_at != proposed or locked.status not in _OPEN:
            return "changed"
        if locked.events.filter(kind=EventKind.REMINDER, data__resolution_follow_up=stamp).exists():
            return "done before"
        answered = locked.messages.filter(
            direction=Direction.INBOUND, indirect=False, created_at__gt=proposed
        ).exists()
        if answered:
            return "answered"
        outbound, delivery, refused, wording = _deliver(
            locked, purpose="follow_up", extra={}, allow_public=True
        )
        if outbound is None:
            reason = (
                f"No answer to the proposed resolution; the follow-up could not be sent: {refused}"
            )
        else:
            reason = (
                f"No answer to the proposed resolution since {proposed:%Y-%m-%d %H:%M} UTC: "
                f"asked the customer again ({delivery}). Wording: {wording.reason}"
            )
        CaseEvent.objects.create(
            conversation=locked,
            kind=EventKind.REMINDER,
            actor=None,
            reason=reason,
            data={
                "resolution_follow_up": stamp,
                "outbound": outbound.pk if outbound else None,
                "sent": outbound is not None,
            },
            created_at=now,
        )
    return "sent" if outbound is not None else "not sent"


@dataclass
class SweepResult:
    reminded: int = 0
    cleared: int = 0
    followed_up: int = 0
    surveys_recovered: int = 0
    failed: int = 0


def sweep_followups(*, now: datetime | None = None, limit: int = 500) -> SweepResult:
    """Reminders for cases whose follow-up is due, and the one follow-up message for proposed
    resolutions left unanswered. Idempotent; one failing case never stops the sweep."""
    now = now or timezone.now()
    result = SweepResult()
    due = (
        Conversation.objects.filter(followup_due_at__lte=now)
        .exclude(status=Status.CLOSED)
        .select_related("assignee")
        # Who wrote last, in the same query (one correlated subquery each, indexed on
        # conversation + created_at), not two queries per case.
        .annotate(
            last_in=_newest(Direction.INBOUND, indirect=False),
            last_out=_newest(Direction.OUTBOUND, sent_by__isnull=False),
        )
        .order_by("followup_due_at")[:limit]
    )
    for case in due:
        try:
            outcome = _remind(case, now)
        except Exception:
            log.exception("follow-up reminder for case %s failed", case.pk)
            result.failed += 1
            continue
        result.reminded += outcome == "reminded"
        result.cleared += outcome == "cleared"
    quiet_since = now - conf.resolution_follow_up_after()
    proposed = Conversation.objects.filter(
        resolution_proposed_at__lte=quiet_since, status__in=_OPEN
    ).order_by("resolution_proposed_at")[:limit]
    for quiet in proposed:
        try:
            outcome = _follow_up_resolution(quiet, now)
        except Exception:
            log.exception("resolution follow-up for case %s failed", quiet.pk)
            result.failed += 1
            continue
        result.followed_up += outcome in ("sent", "not sent")
    for lost in _resolutions_without_survey(now, limit):
        try:
            survey = send_survey(lost)
        except Exception:
            log.exception("survey for case %s failed", lost.pk)
            result.failed += 1
            continue
        result.surveys_recovered += survey is not None
    return result


SURVEY_RECOVERY_WINDOW = timedelta(days=1)
SURVEY_TASK_GRACE = timedelta(minutes=5)


def _resolutions_without_survey(now: datetime, limit: int) -> list[Conversation]:
    """Cases resolved in the last day whose survey task was lost (neither a survey nor a
    recorded reason for none): a lost task never loses a survey. The grace period leaves the
    task its chance first."""
    surveyed = Survey.objects.filter(
        conversation=OuterRef("pk"), resolved_at=OuterRef("resolved_at")
    )
    skipped = CaseEvent.objects.filter(
        conversation=OuterRef("pk"),
        kind=EventKind.NOTE,
        data__has_key="survey_skipped",
        created_at__gte=OuterRef("resolved_at"),
    )
    return list(
        Conversation.objects.filter(
            status=Status.RESOLVED,
            resolved_at__gte=now - SURVEY_RECOVERY_WINDOW,
            resolved_at__lte=now - SURVEY_TASK_GRACE,
        )
        .exclude(Exists(surveyed))
        .exclude(Exists(skipped))
        .order_by("resolved_at")[:limit]
    )


# --- success stories -----------------------------------------------------------------------


def ask_story_consent(conversation: Conversation) -> SuccessStory | None:
    """After a good rating, ask once whether the case may become a public success story.

    Private messages only (a consent question under a public post invites strangers to
    answer). Returns the story record, or None when it was asked before or cannot be asked
    (the reason is recorded).
    """
    with transaction.atomic():
        case = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if SuccessStory.objects.filter(conversation=case).exists():
            return None
        if case.status == Status.CLOSED:
            return None
        outbound, _delivery, refused, wording = _deliver(
            case, purpose="story_consent", extra={}, allow_public=False
        )
        if outbound is None:
            if not case.events.filter(
                kind=EventKind.STORY_CONSENT, data__step="not_asked"
            ).exists():
                CaseEvent.objects.create(
                    conversation=case,
                    kind=EventKind.STORY_CONSENT,
                    reason=f"Could not ask for story consent: {refused}",
                    data={"step": "not_asked"},
                )
            return None
        now = timezone.now()
        story = SuccessStory.objects.create(
            conversation=case,
            status=StoryStatus.ASKED,
            asked_at=now,
            ask_outbound=outbound,
            updated_at=now,
        )
        CaseEvent.objects.create(
            conversation=case,
            kind=EventKind.STORY_CONSENT,
            reason=f"Asked whether the case may be shared as an anonymous success story. "
            f"Wording: {wording.reason}",
            data={"step": "asked", "outbound": outbound.pk},
            created_at=now,
        )
    return story


def record_story_consent(
    conversation: Conversation,
    *,
    actor: User,
    message: Message,
    granted: bool,
    how: str = "",
) -> SuccessStory:
    """Record the customer's answer to the story question, pointing at the customer's message
    that gave it. Raises CaseActionError."""
    if message.conversation_id != conversation.pk or message.direction != Direction.INBOUND:
        raise CaseActionError("consent must point at a message the customer wrote in this case")
    note = how.strip()[:500]
    with transaction.atomic():
        case = Conversation.objects.select_for_update().get(pk=conversation.pk)
        now = timezone.now()
        story, _ = SuccessStory.objects.get_or_create(
            conversation=case, defaults={"status": StoryStatus.ASKED, "updated_at": now}
        )
        if story.status in (StoryStatus.APPROVED, StoryStatus.PUBLISHED):
            raise CaseActionError(f"the story is {story.status} already")
        story.consent_message = message
        story.consent_by = actor
        story.consent_how = note
        story.updated_at = now
        if granted:
            story.consent_at = now
            if story.status == StoryStatus.DECLINED:
                story.status = StoryStatus.ASKED
                story.declined_reason = ""
        else:
            story.consent_at = None
            story.status = StoryStatus.DECLINED
            story.declined_reason = "the customer did not consent"
        story.save()
        CaseEvent.objects.create(
            conversation=case,
            kind=EventKind.STORY_CONSENT,
            actor=actor,
            reason=("The customer agreed" if granted else "The customer declined")
            + " to share their story"
            + (f": {note}" if note else ""),
            data={"step": "given" if granted else "refused", "message": message.pk},
            created_at=now,
        )
    return story


def _story_facts(case: Conversation) -> StoryFacts:
    author = case.author
    name = (author.name if author else "") or ""
    handle = (author.handle if author else "") or ""
    survey = (
        Survey.objects.filter(conversation=case, used_at__isnull=False).order_by("-used_at").first()
    )
    return StoryFacts(
        initial=first_initial(name),
        platform=case.channel.get_platform_display(),
        topic=case.triage_topic,
        score=survey.score if survey else None,
        comment=survey.comment if survey else "",
        names=tuple(n for n in (name, handle.lstrip("@")) if n),
    )


def draft_success_story(conversation: Conversation, *, actor: User | None) -> SuccessStory:
    """Write the anonymised draft (first initial only, no numbers, no private data). Needs the
    customer's consent. Raises CaseActionError."""
    with transaction.atomic():
        case = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("author", "channel")
            .get(pk=conversation.pk)
        )
        story = SuccessStory.objects.filter(conversation=case).first()
        if story is None or story.consent_at is None:
            raise CaseActionError("record the customer's consent before drafting a story")
        if story.status not in (StoryStatus.ASKED, StoryStatus.DRAFT):
            raise CaseActionError(f"the story is {story.status}; it is not redrafted")
        now = timezone.now()
        story.draft_text = compose_story(_story_facts(case))
        story.status = StoryStatus.DRAFT
        story.drafted_at = now
        story.updated_at = now
        story.save()
        CaseEvent.objects.create(
            conversation=case,
            kind=EventKind.STORY_DRAFTED,
            actor=actor,
            reason="Anonymised success-story draft written for a supervisor to review",
            data={"step": "drafted", "story": story.pk},
            created_at=now,
        )
    return story


def _require_supervisor(actor: User) -> None:
    if not actor.is_supervisor_or_admin:
        raise CaseActionError("only a supervisor or admin may edit, approve or decline stories")


def _check_public_text(text: str) -> str:
    body = text.strip()
    if not body:
        raise CaseActionError("a story cannot be empty")
    if len(body) > MAX_STORY_CHARS:
        raise CaseActionError(f"a story is limited to {MAX_STORY_CHARS} characters")
    found = private_data_types(body)
    if found:
        raise CaseActionError(
            "the story contains private data (" + ", ".join(found) + "); remove it first"
        )
    return body


def _story_event(story: SuccessStory, actor: User, step: str, reason: str) -> None:
    CaseEvent.objects.create(
        conversation_id=story.conversation_id,
        kind=EventKind.STORY_DRAFTED,
        actor=actor,
        reason=reason,
        data={"step": step, "story": story.pk},
    )


def edit_story(story: SuccessStory, *, actor: User, text: str) -> SuccessStory:
    """A supervisor rewrites the draft. Refuses private data. Raises CaseActionError."""
    _require_supervisor(actor)
    body = _check_public_text(text)
    with transaction.atomic():
        locked = SuccessStory.objects.select_for_update().get(pk=story.pk)
        if locked.status not in (StoryStatus.DRAFT, StoryStatus.APPROVED):
            raise CaseActionError(f"a {locked.get_status_display().lower()} story is not edited")
        locked.draft_text = body
        # An edit of an approved story needs approving again.
        locked.status = StoryStatus.DRAFT
        locked.approved_by = None
        locked.approved_at = None
        locked.updated_at = timezone.now()
        locked.save()
        _story_event(locked, actor, "edited", "Success-story draft edited")
    return locked


def approve_story(story: SuccessStory, *, actor: User) -> SuccessStory:
    """A supervisor approves the draft for the public feed. Raises CaseActionError."""
    _require_supervisor(actor)
    with transaction.atomic():
        locked = SuccessStory.objects.select_for_update().get(pk=story.pk)
        if locked.status != StoryStatus.DRAFT:
            raise CaseActionError("only a draft can be approved")
        if locked.consent_at is None:
            raise CaseActionError("the customer's consent is not recorded")
        _check_public_text(locked.draft_text)
        now = timezone.now()
        locked.status = StoryStatus.APPROVED
        locked.approved_by = actor
        locked.approved_at = now
        locked.updated_at = now
        locked.save()
        _story_event(locked, actor, "approved", "Success story approved for the public feed")
    return locked


def decline_story(story: SuccessStory, *, actor: User, reason: str) -> SuccessStory:
    """A supervisor decides the story is not published. Raises CaseActionError."""
    _require_supervisor(actor)
    why = reason.strip()[:500]
    if not why:
        raise CaseActionError("say why the story is declined")
    with transaction.atomic():
        locked = SuccessStory.objects.select_for_update().get(pk=story.pk)
        if locked.status == StoryStatus.PUBLISHED:
            raise CaseActionError("the story is published already; remove it on the platform")
        locked.status = StoryStatus.DECLINED
        locked.declined_reason = why
        locked.updated_at = timezone.now()
        locked.save()
        _story_event(locked, actor, "declined", f"Success story declined: {why}")
    return locked


def mark_story_published(story: SuccessStory, *, actor: User, where: str) -> SuccessStory:
    """Record that a person posted the approved story (careline does not post it)."""
    _require_supervisor(actor)
    with transaction.atomic():
        locked = SuccessStory.objects.select_for_update().get(pk=story.pk)
        if locked.status != StoryStatus.APPROVED:
            raise CaseActionError("only an approved story can be marked as published")
        now = timezone.now()
        locked.status = StoryStatus.PUBLISHED
        locked.published_at = now
        locked.published_where = where.strip()[:300]
        locked.updated_at = now
        locked.save()
        _story_event(
            locked,
            actor,
            "published",
            "Success story marked as published"
            + (f" at {locked.published_where}" if locked.published_where else ""),
        )
    return locked
