"""Moderation fixtures: the community cast (Carol asks, Dave answers) plus members Erin and
Frank, whose accounts are a week old (no posting limit, no link rule for new accounts)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from schwarmdesk.moderation import screening

# Carol, Dave, a category and Carol's question come from the community tests.
from tests.community.conftest import (  # noqa: F401
    billing,
    carol_user,
    dave_user,
    question,
    router,
)
from tests.web.conftest import (  # noqa: F401 -- the browser test's fixtures
    browser,
    browser_context,
    page,
    page_problems,
    playwright,
)


def member(username: str, *, days_old: int = 7) -> User:
    user = User.objects.create_user(username=username, password=f"{username}-password")
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=days_old))
    user.refresh_from_db()
    return user


@pytest.fixture
def erin(db: None) -> User:
    return member("erin")


@pytest.fixture
def frank(db: None) -> User:
    return member("frank")


@pytest.fixture
def gina(db: None) -> User:
    return member("gina")


@pytest.fixture(autouse=True)
def word_list_detector() -> Iterator[None]:
    """No trained model in the test data directory: every test starts with the word list."""
    screening.reset_detector()
    yield
    screening.reset_detector()
