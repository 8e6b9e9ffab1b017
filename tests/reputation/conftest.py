"""Reputation fixtures: the community cast (Carol asks, Dave answers) plus Erin, a third member
who votes and answers too."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from schwarmdesk.community.actions import post_answer
from schwarmdesk.community.models import Answer, Question
from tests.community import conftest as community

billing = community.billing
carol_user = community.carol_user
dave_user = community.dave_user
question = community.question


@pytest.fixture
def erin_user(db: None) -> User:
    return User.objects.create_user(username="erin", password="erin-password")


@pytest.fixture
def dave_answer(question: Question, dave_user: User) -> Answer:
    return post_answer(dave_user, question.pk, body="Im Kundenportal unter *Meine Daten*.")


def member(number: int) -> User:
    return User.objects.create_user(username=f"member{number}", password="member-password")
