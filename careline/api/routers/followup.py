"""``/followup``: a case's follow-up state, proposing a resolution, and the CSAT report."""

# No `from __future__ import annotations`: ninja reads the endpoint annotations at runtime.
from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from careline.accounts.access import get_conversation_for_user
from careline.accounts.models import User
from careline.api.auth import api_user
from careline.cases.models import Conversation
from careline.followup.selectors import csat_report, followup_state
from careline.followup.services import ask_resolution_check

router = Router(tags=["follow-up"])


class SurveyOut(Schema):
    sent_at: datetime
    expires_at: datetime
    delivery: str
    not_sent_reason: str
    answered_at: datetime | None
    score: int | None
    comment: str


class StoryOut(Schema):
    status: str
    consent_at: datetime | None
    draft_text: str


class FollowUpOut(Schema):
    followup_due_at: datetime | None
    overdue: bool
    resolution_proposed_at: datetime | None
    resolution_answered: bool
    survey: SurveyOut | None
    story: StoryOut | None


class CsatOut(Schema):
    since: datetime
    until: datetime
    sent: int
    answered: int
    response_rate: float | None
    average: float | None
    satisfied_share: float | None
    distribution: dict[str, int]


class CsatQuery(Schema):
    days: int = 30


def _conversation(user: User, conversation_id: int) -> Conversation:
    try:
        return get_conversation_for_user(user, conversation_id)
    except Http404 as exc:
        raise HttpError(404, "no such conversation") from exc


def _state(conversation: Conversation) -> FollowUpOut:
    state = followup_state(conversation)
    survey = state.survey
    story = state.story
    return FollowUpOut(
        followup_due_at=state.followup_due_at,
        overdue=state.overdue,
        resolution_proposed_at=state.resolution_proposed_at,
        resolution_answered=state.resolution_answered,
        survey=SurveyOut(
            sent_at=survey.sent_at,
            expires_at=survey.expires_at,
            delivery=survey.delivery,
            not_sent_reason=survey.not_sent_reason,
            answered_at=survey.used_at,
            score=survey.score,
            comment=survey.comment,
        )
        if survey is not None
        else None,
        story=StoryOut(
            status=story.status, consent_at=story.consent_at, draft_text=story.draft_text
        )
        if story is not None
        else None,
    )


@router.get(
    "/conversations/{conversation_id}", response=FollowUpOut, summary="A case's follow-up state"
)
def get_followup(request: HttpRequest, conversation_id: int) -> FollowUpOut:
    return _state(_conversation(api_user(request), conversation_id))


@router.post(
    "/conversations/{conversation_id}/resolution-check",
    response=FollowUpOut,
    summary="Propose a resolution: ask the customer whether it is acceptable",
)
def post_resolution_check(request: HttpRequest, conversation_id: int) -> FollowUpOut:
    user = api_user(request)
    ask_resolution_check(_conversation(user, conversation_id), actor=user)
    return _state(_conversation(user, conversation_id))


@router.get("/csat", response=CsatOut, summary="Satisfaction surveys: response rate and scores")
def get_csat(request: HttpRequest, query: Query[CsatQuery]) -> dict[str, object]:
    if not api_user(request).is_supervisor_or_admin:
        raise HttpError(403, "the CSAT report is for supervisors and admins")
    if not 1 <= query.days <= 366:
        raise HttpError(400, "days must be between 1 and 366")
    return csat_report(days=query.days).to_dict()
