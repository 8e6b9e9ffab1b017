"""Staff pages for escalated community questions: the queue and the answer form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from schwarmdesk.core.errors import Forbidden, Invalid, NotFound
from schwarmdesk.escalation import actions, queries
from schwarmdesk.knowledge.queries import agent_of


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if agent_of(request.user) is None:
        raise Http404("not found")
    escalations = queries.list_open_escalations(request.user)
    return render(request, "escalation/queue.html", {"escalations": escalations})


@require_POST
def answer(request: HttpRequest, conversation_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("escalation:queue"))
    body = request.POST.get("body", "")
    try:
        if request.POST.get("internal"):
            actions.note_escalation(request.user, conversation_id, body=body)
            messages.success(request, _("The internal note is saved."))
        else:
            posted = actions.answer_escalation(request.user, conversation_id, body=body)
            messages.success(request, _("Your answer is posted in the community."))
            return redirect(posted.get_absolute_url())
    except (NotFound, Forbidden):
        raise Http404("not found") from None
    except Invalid as error:
        messages.error(request, str(error))
    return redirect("escalation:queue")
