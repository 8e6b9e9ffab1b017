"""Follow buttons (htmx) and the unsubscribe page behind every notification e-mail."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from schwarmdesk.core.errors import Forbidden, Invalid, NotFound
from schwarmdesk.notifications import actions


@require_POST
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        if request.POST.get("follow") == "no":
            question = actions.unfollow_question(request.user, pk)
        else:
            question = actions.follow_question(request.user, pk).question
    except NotFound:
        raise Http404("no such question") from None
    except Forbidden as refused:
        if not request.user.is_authenticated:  # back to the question, not to this POST url
            return redirect_to_login(reverse("community:question", kwargs={"pk": pk}))
        return render(request, "community/_error.html", {"message": str(refused)}, status=403)
    if request.headers.get("HX-Request") == "true":
        context = {
            "question": question,
            "is_following": actions.is_following(request.user, question),
        }
        return render(request, "notifications/_follow.html", context)
    return redirect(question)


@csrf_exempt  # the signed token is the permission; mail clients post without a session (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        target = actions.read_unsubscribe_token(token)
        if request.method == "POST":
            done = actions.unsubscribe(token=token, everything=request.POST.get("all") == "yes")
            return render(request, "notifications/unsubscribed.html", {"target": done})
    except Invalid as refused:
        return render(
            request, "notifications/unsubscribe.html", {"error": str(refused)}, status=400
        )
    return render(request, "notifications/unsubscribe.html", {"target": target, "token": token})
