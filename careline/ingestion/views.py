"""The webhook receiver: verify, store, answer 202. Processing happens in a task."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from careline.connectors.base import ConnectorError, PayloadError
from careline.connectors.registry import connector_class
from careline.inbox.models import Channel, Platform
from careline.ingestion.services import DuplicateDelivery, store_inbound_event


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt
@require_POST
def generic_webhook(request: HttpRequest, channel_name: str) -> HttpResponse:
    # One answer for "no such channel" and "bad signature", so the endpoint does not tell an
    # attacker which channel names exist.
    channel = Channel.objects.filter(
        name=channel_name, platform=Platform.GENERIC, is_active=True
    ).first()
    body = request.body
    if len(body) > settings.CARELINE_MAX_WEBHOOK_BYTES:
        return _error(413, f"body larger than {settings.CARELINE_MAX_WEBHOOK_BYTES} bytes")
    if channel is None:
        return _error(403, "invalid signature")
    try:
        connector = connector_class(channel.platform)(
            credentials=channel.credentials, account_id=channel.external_id
        )
    except ConnectorError as exc:
        return _error(503, str(exc))
    if not connector.verify(body=body, headers=request.headers):
        return _error(403, "invalid signature")
    try:
        connector.parse(body, max_text_chars=settings.CARELINE_MAX_TEXT_CHARS)
    except PayloadError as exc:
        return _error(400, str(exc))
    try:
        event = store_inbound_event(
            channel, body=body, delivery_id=request.headers.get("X-Careline-Delivery")
        )
    except DuplicateDelivery:
        return JsonResponse({"status": "duplicate"}, status=200)
    return JsonResponse({"status": "accepted", "event": event.pk}, status=202)
