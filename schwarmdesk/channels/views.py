"""The one webhook endpoint for every channel: Sentry's guard chain, one log line per exit.

size 413 → unknown kind or channel 404 → handshake (GET) → verify 401/403, storing nothing →
raw body kept as an InboundEvent → parse: 400 malformed, 200 nothing for us → receive → 200.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from schwarmdesk.channels.actions import MAX_EVENT_BYTES, get_adapter, ingest
from schwarmdesk.channels.adapters import ADAPTERS
from schwarmdesk.channels.adapters.base import (
    HandshakeRefused,
    InboundRequest,
    ParseError,
    SignatureError,
)
from schwarmdesk.channels.batch import accept
from schwarmdesk.channels.health import record_webhook_verified
from schwarmdesk.channels.intake import log_exit
from schwarmdesk.channels.models import Channel

log = logging.getLogger(__name__)


def _exit(status: int, reason: str, kind: str, channel_id: int, size: int) -> HttpResponse:
    log_exit(status, reason, kind, channel_id, size, logger=log)
    return HttpResponse(reason, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
def webhook(  # noqa: PLR0911 -- one return per exit of the guard chain
    request: HttpRequest, kind: str, channel_id: int
) -> HttpResponse:
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    body = request.read(MAX_EVENT_BYTES + 1) if 0 < declared <= MAX_EVENT_BYTES else b""
    if declared > MAX_EVENT_BYTES or len(body) > MAX_EVENT_BYTES:
        return _exit(413, "too large", kind, channel_id, declared)
    channel = Channel.objects.filter(pk=channel_id, kind=kind, is_enabled=True).first()
    if kind not in ADAPTERS or channel is None or not ADAPTERS[kind].capabilities.has_webhook:
        return _exit(404, "unknown channel", kind, channel_id, len(body))
    headers = {name.lower(): value for name, value in request.headers.items()}
    req = InboundRequest(request.method or "", body, headers, request.GET.dict())
    adapter = get_adapter(channel)
    try:
        if request.method == "GET":
            if (answer := adapter.handshake(req)) is None:
                return _exit(405, "no handshake", kind, channel_id, 0)
            _exit(answer.status, "handshake", kind, channel_id, 0)
            return HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)
        if request.method != "POST":
            return _exit(405, "method not allowed", kind, channel_id, len(body))
        try:
            adapter.verify(req)
        except SignatureError:
            record_webhook_verified(channel.pk, is_verified=False)
            raise
        record_webhook_verified(channel.pk, is_verified=True)
        if settings.WEBHOOK_PROCESSING == "queued":  # a worker stores the messages in batches
            accepted = accept(channel, req, adapter=adapter)
            reason = "accepted" if accepted.event else "ignored"
            reason = "duplicate" if accepted.is_duplicate else reason
            return _exit(200, reason, kind, channel_id, len(body))
        result = ingest(channel, req)
    except (SignatureError, HandshakeRefused) as error:
        return _exit(error.status, "not verified", kind, channel_id, len(body))
    except ParseError:
        return _exit(400, "malformed", kind, channel_id, len(body))
    if result.is_duplicate:
        return _exit(200, "duplicate", kind, channel_id, len(body))
    reason = f"stored {len(result.messages)}" if result.messages else "ignored"
    return _exit(200, reason, kind, channel_id, len(body))
