"""The automation's pages: knowledge candidates (agents), the bot dashboard (administrators),
feedback on bot answers (signed links; the asker's buttons in the community)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from schwarmdesk.automation import actions, queries
from schwarmdesk.automation.models import Feedback
from schwarmdesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from schwarmdesk.inbox.queries import inbox_agent
from schwarmdesk.knowledge.models import Category
from schwarmdesk.people.models import Agent

View = Callable[..., HttpResponse]


def agent_view(view: View) -> View:
    """Anonymous visitors go to the login; users who are not agents get 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        agent = inbox_agent(request.user)
        if agent is None:
            raise Http404("not found")
        try:
            return view(request, agent, *args, **kwargs)
        except (NotFound, Forbidden):
            raise Http404("not found") from None
        except (Invalid, Conflict) as error:
            messages.error(request, str(error))
            return redirect("automation:candidates")

    return wrapper


@agent_view
def candidates(request: HttpRequest, agent: Agent) -> HttpResponse:
    rows = [
        (candidate, queries.list_variant_articles(candidate))
        for candidate in queries.list_open_candidates(agent)
    ]
    return render(
        request,
        "automation/candidates.html",
        {"rows": rows, "categories": list(Category.objects.order_by("name"))},
    )


def _optional_int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@require_POST
@agent_view
def publish(request: HttpRequest, agent: Agent, candidate_id: int) -> HttpResponse:
    category_id = _optional_int(request.POST.get("category"))
    if category_id is None:
        raise Invalid(_("Please choose a category."))
    article = actions.publish_candidate(
        agent,
        candidate_id,
        category_id=category_id,
        translation_of_id=_optional_int(request.POST.get("translation_of")),
    )
    messages.success(request, _("Published: %(title)s") % {"title": article.title})
    return redirect("automation:candidates")


@require_POST
@agent_view
def dismiss(request: HttpRequest, agent: Agent, candidate_id: int) -> HttpResponse:
    actions.dismiss_candidate(agent, candidate_id)
    return redirect("automation:candidates")


def dashboard(request: HttpRequest) -> HttpResponse:
    """Administrators only: the bot's answer rate and helpfulness per day (inline SVG)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_superuser:
        raise Http404("not found")
    stats = queries.daily_bot_stats(30)
    return render(
        request,
        "automation/dashboard.html",
        {"stats": stats, "points": queries.chart_points(stats)},
    )


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, token: str) -> HttpResponse:
    """A bot answer's signed link: GET asks (mail scanners follow links), POST records."""
    try:
        attempt = actions.access_attempt_by_token(token)
    except NotFound:
        raise Http404("not found") from None
    verdict = request.POST.get("verdict") or request.GET.get("verdict", "")
    if verdict not in (Feedback.SOLVED, Feedback.PERSON):
        verdict = ""
    if request.method == "POST" and verdict:
        attempt = actions.record_feedback(None, attempt.pk, verdict=verdict)
    return render(request, "automation/feedback.html", {"attempt": attempt, "verdict": verdict})


@require_POST
def community_feedback(request: HttpRequest, answer_id: int) -> HttpResponse:
    """The asker's buttons under the bot's community answer."""
    try:
        attempt = actions.access_community_attempt(request.user, answer_id)
        attempt = actions.record_feedback(
            request.user, attempt.pk, verdict=request.POST.get("verdict", "")
        )
    except NotFound:
        raise Http404("not found") from None
    except Invalid as error:
        messages.error(request, str(error))
    if attempt.question is None:
        raise Http404("not found")
    return redirect(attempt.question.get_absolute_url())
