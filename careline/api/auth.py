"""API authentication: ``Authorization: Bearer <token>``, nothing else (no session, no CSRF)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from careline.accounts.models import User
from careline.accounts.services import user_for_api_token


class BearerToken(HttpBearer):
    """Accepts a token issued by ``careline token USER``; revoked tokens and inactive users fail."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return user_for_api_token(token)


def api_user(request: HttpRequest) -> User:
    """The user whose token authenticated ``request``.

    Raises AuthenticationError when there is none; ninja runs endpoints only after the token
    was accepted, so that means an endpoint was declared without auth by mistake.
    """
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise AuthenticationError()
    return user
