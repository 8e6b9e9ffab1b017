"""Account pages: sign-up, e-mail verification, password reset, the public profile, "my
questions" and account settings. Each view parses, calls one action or query, and renders."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from schwarmdesk.accounts import actions, queries
from schwarmdesk.accounts.models import NotifyLevel, Profile
from schwarmdesk.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound

SIGNUP_FIELDS = ("username", "display_name", "email")
BACKEND = "schwarmdesk.accounts.backends.UsernameOrEmailBackend"


def _member(request: HttpRequest) -> User:
    """The logged-in account (the views using this are behind ``login_required``)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:my_questions")
    form = {key: request.POST.get(key, "") for key in SIGNUP_FIELDS}
    error, status = "", 200
    if request.method == "POST":
        try:
            user = actions.sign_up(
                None,
                username=form["username"],
                display_name=form["display_name"],
                email=form["email"],
                password=request.POST.get("password", ""),
                language=get_language() or "de",
                has_consented=request.POST.get("consent") == "yes",
                ip_address=client_ip(request),
            )
        except actions.RateLimited as refused:
            error, status = str(refused), 429
        except (Invalid, Conflict, Forbidden) as refused:
            error, status = str(refused), 400
        else:
            login(request, user, backend=BACKEND)
            return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form, "error": error}, status=status)


@require_GET
def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_done.html")


@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    try:
        actions.verify_email(request.user, token=token)
    except (Invalid, Conflict) as refused:
        return render(request, "accounts/verify_failed.html", {"error": str(refused)}, status=400)
    messages.success(request, _("Thank you! Your e-mail address is verified; you can now write."))
    return redirect("community:home")


@require_POST
@login_required
def resend(request: HttpRequest) -> HttpResponse:
    try:
        actions.resend_verification(request.user)
    except DomainError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("We have sent you a new link. Please check your inbox."))
    return redirect("accounts:settings")


@require_GET
def profile(request: HttpRequest, username: str) -> HttpResponse:
    try:
        found = queries.get_public_profile(username)
    except NotFound:
        raise Http404("no such member") from None
    show = request.GET.get("show", "questions")
    page = request.GET.get("page", 1)
    context = {
        "profile": found,
        "profile_user": found.user,
        "show": "answers" if show == "answers" else "questions",
        "page": queries.list_public_answers(found.user, page=page)
        if show == "answers"
        else queries.list_public_questions(found.user, page=page),
    }
    return render(request, "accounts/profile.html", context)


@require_GET
@login_required
def my_questions(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    page = queries.list_my_questions(user, page=request.GET.get("page", 1))
    response = render(request, "accounts/my_questions.html", {"page": page})
    actions.mark_activity_seen(user)  # after rendering: the counts shown were the new ones
    return response


@require_http_methods(["GET", "POST"])
@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    current = Profile.objects.filter(user=user).first() or Profile(user=user)
    customer = getattr(user, "customer", None)
    form = {
        "display_name": request.POST.get(
            "display_name",
            customer.display_name if customer is not None else user.get_full_name(),
        ),
        "language": request.POST.get("language", current.language),
        "notify": request.POST.get("notify", current.notify),
    }
    error = ""
    if request.method == "POST":
        try:
            actions.update_settings(user, **form)
        except (Invalid, Forbidden) as refused:
            error = str(refused)
        else:
            messages.success(request, _("Your settings are saved."))
            return redirect("accounts:settings")
    context = {
        "form": form,
        "error": error,
        "is_verified": actions.is_email_verified(user),
        "notify_levels": NotifyLevel.choices,
        "language_choices": settings.LANGUAGES,
    }
    return render(request, "accounts/settings.html", context, status=400 if error else 200)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view with our e-mails and a light rate limit per IP and address."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    html_email_template_name = "accounts/email/password_reset.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def get_extra_email_context(self) -> dict[str, Any]:
        return {"base_url": settings.BASE_URL}

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        self.extra_email_context = self.get_extra_email_context()
        try:
            actions.limit_attempts(
                "reset",
                [("ip", client_ip(self.request)), ("email", form.cleaned_data["email"])],
            )
        except actions.RateLimited as refused:
            form.add_error(None, str(refused))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)


password_reset = PasswordResetView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change.html",
    success_url=reverse_lazy("accounts:password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)
