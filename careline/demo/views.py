"""The demo's stand-in platform: accepts signed replies relayed by the generic connector.

Enabled only with CARELINE_DEMO_SINK=1 (``make demo`` sets it). It checks the signature
against the callback secrets of the active channels and answers like a platform would: with
the id of the posted reply, the same id again for a retried delivery (Idempotency-Key).
"""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from careline.connectors.generic.connector import SIGNATURE_HEADER, SIGNATURE_PREFIX
from careline.inbox.models import Channel
from careline.lib.crypto import signature_matches

log = logging.getLogger(__name__)
_SEEN: OrderedDict[str, str] = OrderedDict()
_SEEN_LIMIT = 10_000


def _signed_by_a_channel(body: bytes, header: str) -> Channel | None:
    for channel in Channel.objects.filter(is_active=True):
        creds = channel.credentials
        secret = str(creds.get("callback_secret") or creds.get("secret") or "")
        if secret and signature_matches(secret, body, header, prefix=SIGNATURE_PREFIX):
            return channel
    return None


@csrf_exempt
@require_POST
def sink(request: HttpRequest) -> HttpResponse:
    if not settings.CARELINE_DEMO_SINK:
        raise Http404("the demo sink is off")
    channel = _signed_by_a_channel(request.body, request.headers.get(SIGNATURE_HEADER, ""))
    if channel is None:
        return JsonResponse({"error": "invalid signature"}, status=403)
    key = request.headers.get("Idempotency-Key", "")
    if key and key in _SEEN:
        return JsonResponse({"id": _SEEN[key], "duplicate": True}, status=200)
    reply_id = f"sink-{uuid.uuid4().hex[:12]}"
    if key:
        _SEEN[key] = reply_id
        while len(_SEEN) > _SEEN_LIMIT:
            _SEEN.popitem(last=False)
    log.info("demo sink: reply %s posted on %s", reply_id, channel.name)
    return JsonResponse({"id": reply_id}, status=201)
