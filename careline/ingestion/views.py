"""Webhook receivers: verify, store, answer at once. Processing happens in a task.

One route per platform family: ``/hooks/generic/<channel>``, ``/hooks/meta/<channel>``
(Facebook, Instagram and Messenger channels of one Meta app) and ``/hooks/x/<channel>``. A GET
answers the platform's verification handshake (Meta hub.challenge, X CRC).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from careline.connectors.base import Connector, ConnectorError, PayloadError
from careline.connectors.registry import connector_class
from careline.inbox.models import WEBHOOK_FAMILY, Channel
from careline.ingestion.services import DuplicateDelivery, store_inbound_event

FAMILIES: dict[str, tuple[str, ...]] = {}
for _platform, _family in WEBHOOK_FAMILY.items():
    FAMILIES.setdefault(_family, ())
    FAMILIES[_family] += (_platform,)
# Where a platform sends a delivery id we can de-duplicate on before parsing.
DELIVERY_ID_HEADERS = ("X-Careline-Delivery",)


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _connector(channel: Channel) -> Connector:
    return connector_class(channel.platform)(
        credentials=channel.credentials, account_id=channel.external_id
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest, family: str, channel_name: str) -> HttpResponse:
    platforms = FAMILIES.get(family)
    channel = (
        Channel.objects.filter(name=channel_name, platform__in=platforms, is_active=True).first()
        if platforms
        else None
    )
    # One answer for "no such channel" and "bad signature", so the endpoint does not tell an
    # attacker which channel names exist.
    if channel is None:
        return _error(403, "invalid signature")
    try:
        connector = _connector(channel)
    except ConnectorError as exc:
        return _error(503, str(exc))
    if request.method == "GET":
        handshake = connector.handshake(request.GET)
        if handshake is None:
            return _error(405, "this platform has no verification handshake")
        return HttpResponse(
            handshake.body, status=handshake.status, content_type=handshake.content_type
        )
    body = request.body
    if len(body) > settings.CARELINE_MAX_WEBHOOK_BYTES:
        return _error(413, f"body larger than {settings.CARELINE_MAX_WEBHOOK_BYTES} bytes")
    if not connector.verify(body=body, headers=request.headers):
        return _error(403, "invalid signature")
    try:
        connector.parse(body, max_text_chars=settings.CARELINE_MAX_TEXT_CHARS)
    except PayloadError as exc:
        return _error(400, str(exc))
    delivery_id = next(
        (request.headers[h] for h in DELIVERY_ID_HEADERS if h in request.headers), None
    )
    try:
        event = store_inbound_event(channel, body=body, delivery_id=delivery_id)
    except DuplicateDelivery:
        return JsonResponse({"status": "duplicate"}, status=200)
    return JsonResponse({"status": "accepted", "event": event.pk}, status=202)
