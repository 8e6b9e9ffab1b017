"""Log in with the user name or the e-mail address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.http import HttpRequest


class UsernameOrEmailBackend(ModelBackend):
    """Django's model backend; a login name with an "@" that is no user name is looked up as
    an e-mail address (only when exactly one account has it)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username and "@" in username and not User.objects.filter(username=username).exists():
            matches = list(User.objects.filter(email__iexact=username.strip())[:2])
            if len(matches) == 1:
                username = matches[0].get_username()
        return super().authenticate(request, username=username, password=password, **kwargs)
