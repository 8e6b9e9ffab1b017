"""The web chat's demo page: a sample site with the widget embedded (demo mode only)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from schwarmdesk.channels.webchat import demo_channel


def demo(request: HttpRequest) -> HttpResponse:
    if settings.IS_PRODUCTION:
        raise Http404("the chat demo page exists in demo mode only")
    channel = demo_channel(None)
    wanted = request.GET.get("lang", "")
    language = wanted if wanted in ("de", "en") else (translation.get_language() or "de")[:2]
    return render(request, "chat/demo.html", {"channel": channel, "language": language})
