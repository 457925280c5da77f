from __future__ import annotations

from dataclasses import asdict

from django_tasks import task

from careline.cases.models import Conversation
from careline.followup import services


@task()
def send_survey(conversation_id: int, resolved_at: str) -> str:
    """After a resolution: the survey, once (``resolved_at`` is for the log only; the service
    re-reads the case and sends for its current resolution)."""
    case = Conversation.objects.filter(pk=conversation_id).first()
    if case is None:
        return "gone"
    survey = services.send_survey(case)
    return survey.delivery if survey is not None else "no survey"


@task()
def ask_story_consent(conversation_id: int) -> str:
    case = Conversation.objects.filter(pk=conversation_id).first()
    if case is None:
        return "gone"
    return "asked" if services.ask_story_consent(case) is not None else "not asked"


@task()
def sweep_followups() -> dict[str, int]:
    return asdict(services.sweep_followups())
