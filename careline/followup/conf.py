"""Follow-up settings, read from Django settings (which read the environment; .env.example).

The survey signing key is never ``SECRET_KEY`` itself: without ``CARELINE_SURVEY_KEY`` it is
derived from ``SECRET_KEY`` with a label, so a survey signature can never be replayed as, or
reveal anything about, a session or password-reset signature.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings

_DERIVATION_LABEL = b"careline.followup.survey-key.v1"


def _derived(secret_key: str) -> str:
    return hmac.new(secret_key.encode(), _DERIVATION_LABEL, hashlib.sha256).hexdigest()


def survey_key() -> str:
    """The key survey links are signed with now."""
    return settings.CARELINE_SURVEY_KEY or _derived(settings.SECRET_KEY)


def previous_survey_keys() -> list[str]:
    """Keys links sent before a rotation were signed with; they stay valid until they expire.

    When ``CARELINE_SURVEY_KEY`` is set, the key derived from ``SECRET_KEY`` is accepted too,
    so setting a dedicated key for the first time does not break links already sent.
    """
    keys = list(settings.CARELINE_SURVEY_PREVIOUS_KEYS)
    if settings.CARELINE_SURVEY_KEY:
        keys.append(_derived(settings.SECRET_KEY))
    return [k for k in keys if k and k != survey_key()]


def survey_expiry() -> timedelta:
    return timedelta(days=settings.CARELINE_SURVEY_EXPIRY_DAYS)


def reminder_interval() -> timedelta:
    """How long a case may wait on us before its assignee is reminded (elapsed time)."""
    return timedelta(minutes=settings.CARELINE_FOLLOWUP_REMINDER_MINUTES)


def resolution_follow_up_after() -> timedelta:
    """How long after a proposed resolution without an answer we ask the customer again."""
    return timedelta(days=settings.CARELINE_RESOLUTION_FOLLOWUP_DAYS)


def public_fallback_platforms() -> frozenset[str]:
    """Platforms where a survey link may go in a public reply when no private message can."""
    return frozenset(p.strip().lower() for p in settings.CARELINE_SURVEY_PUBLIC_FALLBACK)


def survey_rate_limit() -> int:
    """Requests per minute one address may make to the public survey page (0: no limit)."""
    return int(settings.CARELINE_SURVEY_RATE_LIMIT)
