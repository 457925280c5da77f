from __future__ import annotations

from django.utils import timezone

from careline.accounts.models import ApiToken, User


def issue_api_token(user: User) -> str:
    """Create a token for ``user`` and return it; only its hash is kept."""
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=user, token_hash=ApiToken.hash(raw), prefix=raw[:10])
    return raw


def user_for_api_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=ApiToken.hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Write at most once a minute per token: tokens are checked on every API call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke_api_tokens(user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
