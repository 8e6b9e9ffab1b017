"""Moderation pages: the flag form under every post (htmx) and the moderators' queue.

Reading the queue and deciding need an agent or administrator account; anyone else gets the
login page (visitors) or "not found" (members), as for the escalation queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from schwarmdesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from schwarmdesk.moderation import actions, queries
from schwarmdesk.moderation.models import FlagReason


def _question_url(post: actions.Post) -> str:
    question = actions.question_of(post)
    return question.get_absolute_url() if question is not None else reverse("community:home")


@require_POST
def flag(request: HttpRequest, pk: int, target: str) -> HttpResponse:
    is_htmx = bool(getattr(request, "htmx", False))
    if not request.user.is_authenticated:
        return redirect_to_login(request.POST.get("next") or reverse("community:home"))
    try:
        post = actions.access_post(request.user, target, pk)
        actions.flag_post(
            request.user,
            target,
            pk,
            reason=request.POST.get("reason", ""),
            text=request.POST.get("text", ""),
        )
    except NotFound:
        raise Http404("not found") from None
    except (Invalid, Conflict, Forbidden) as refused:
        if is_htmx:
            context = {"message": str(refused)}
            return render(request, "community/_error.html", context, status=400)
        messages.error(request, str(refused))
        return redirect(_question_url(post))
    done = _("Thank you. A moderator will look at this post.")
    if is_htmx:
        return render(request, "moderation/_flagged.html", {"message": done})
    messages.success(request, done)
    return redirect(_question_url(post))


def _moderator_or_404(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not actions.is_moderator(request.user):
        raise Http404("not found")
    return None


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    refused = _moderator_or_404(request)
    if refused is not None:
        return refused
    context = {
        "items": queries.list_queue(request.user),
        "decisions": queries.list_decisions(request.user),
        "reasons": FlagReason.choices,
    }
    return render(request, "moderation/queue.html", context)


@require_POST
def decide(request: HttpRequest, pk: int, target: str) -> HttpResponse:
    refused = _moderator_or_404(request)
    if refused is not None:
        return refused
    kind = request.POST.get("decision", "")
    try:
        decision = actions.decide(
            request.user, target, pk, kind=kind, note=request.POST.get("note", "")
        )
    except NotFound:
        raise Http404("not found") from None
    except (Invalid, Forbidden) as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Decision saved: %(decision)s.") % {"decision": decision.get_kind_display()}
        )
    return redirect("moderation:queue")
