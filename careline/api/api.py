"""The JSON API v1, mounted at ``/api/v1/``; docs at ``/api/v1/docs``.

Every endpoint needs ``Authorization: Bearer <token>`` (``careline token USER`` prints one) and
follows the web app's rules: other teams' cases are 404, refused actions are 400 with the reason.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from careline.api.auth import BearerToken
from careline.api.routers import assignment as assignment_router
from careline.api.routers import conversations, messages
from careline.api.routers import escalations as escalations_router
from careline.api.routers import followup as followup_router
from careline.api.routers import moderation as moderation_router
from careline.api.routers import replies as replies_router
from careline.api.routers import sla as sla_router
from careline.cases.services import CaseActionError

api = NinjaAPI(
    title="careline API",
    version="1",
    urls_namespace="api",
    auth=BearerToken(),
    description=__doc__ or "",
)
api.add_router("/conversations", conversations.router)
api.add_router("/messages", messages.router)
api.add_router("/reports", sla_router.router)
api.add_router("/escalations", escalations_router.router)
api.add_router("/followup", followup_router.router)
api.add_router("/replies", replies_router.router)
api.add_router("/assignment", assignment_router.router)
api.add_router("/moderation", moderation_router.router)


@api.exception_handler(CaseActionError)
def _refused(request: HttpRequest, exc: CaseActionError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        {"detail": "a valid API token is required: Authorization: Bearer <token>"},
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="careline"'
    return response
