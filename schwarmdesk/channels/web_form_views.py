"""The embeddable web form page: GET shows it, POST files the request (thin: one action)."""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from schwarmdesk.channels.forms import WebFormForm
from schwarmdesk.channels.web_form import TooManySubmissions, access_form_channel, submit_form
from schwarmdesk.core.errors import NotFound

log = logging.getLogger(__name__)


def form_language(request: HttpRequest) -> str:
    wanted = request.GET.get("lang", "") or request.POST.get("lang", "")
    return wanted if wanted in ("de", "en") else (translation.get_language() or "de")[:2]


# Embedded on other sites in an iframe, where the browser often withholds our cookies: no CSRF
# token (there is no session to protect); the honeypot and the rate limit keep bots out.
@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def web_form(request: HttpRequest, channel_id: int) -> HttpResponse:
    try:
        channel = access_form_channel(channel_id)
    except NotFound:
        raise Http404("no such form") from None
    language = form_language(request)
    with translation.override(language):
        form = WebFormForm(request.POST or None, request.FILES or None)
        context = {"channel": channel, "form": form, "language": language}
        if request.method != "POST":
            return render(request, "channels/web_form.html", context)
        if form.is_bot:
            log.info("web_form.honeypot channel=%s", channel.pk)
            return render(request, "channels/web_form.html", {**context, "is_sent": True})
        if not form.is_valid():
            return render(request, "channels/web_form.html", context, status=400)
        try:
            message = submit_form(
                channel.pk,
                data=form.to_input(language),
                client_address=request.META.get("REMOTE_ADDR", ""),
            )
        except TooManySubmissions:
            context["is_rate_limited"] = True
            return render(request, "channels/web_form.html", context, status=429)
        reference = message.conversation.reference
        return render(
            request, "channels/web_form.html", {**context, "is_sent": True, "reference": reference}
        )
