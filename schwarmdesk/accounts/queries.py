"""Reads for account pages: a member's public profile and posts, and one's own questions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet

from schwarmdesk.accounts.models import Profile
from schwarmdesk.community.models import Answer, Question, Visibility
from schwarmdesk.core.errors import NotFound

PAGE_SIZE = 20


class NewAnswers(TypedDict):
    new_answers: int


if TYPE_CHECKING:  # the alias only exists for the type checker
    from django_stubs_ext import WithAnnotations

    MyQuestion = WithAnnotations[Question, NewAnswers]


@dataclass(frozen=True)
class PublicProfile:
    user: User
    member_since: datetime
    question_count: int
    answer_count: int


def get_public_profile(username: str) -> PublicProfile:
    """An active account by user name; NotFound otherwise. Carries nothing private."""
    user = (
        User.objects.select_related("agent", "customer")
        .filter(username=username, is_active=True)
        .first()
    )
    if user is None:
        raise NotFound("no such member")
    return PublicProfile(
        user=user,
        member_since=user.date_joined,
        question_count=_public_questions(user).count(),
        answer_count=_public_answers(user).count(),
    )


def _public_questions(user: User) -> QuerySet[Question]:
    return Question.objects.filter(author=user, visibility=Visibility.VISIBLE)


def _public_answers(user: User) -> QuerySet[Answer]:
    return Answer.objects.filter(
        author=user, visibility=Visibility.VISIBLE, question__visibility=Visibility.VISIBLE
    )


def list_public_questions(user: User, *, page: int | str = 1) -> Page[Question]:
    questions = (
        _public_questions(user)
        .select_related("category", "author", "author__agent", "author__customer")
        .prefetch_related("tags")
        .order_by("-created_at", "-pk")
    )
    return Paginator(questions, PAGE_SIZE).get_page(page)


def list_public_answers(user: User, *, page: int | str = 1) -> Page[Answer]:
    answers = _public_answers(user).select_related("question").order_by("-created_at", "-pk")
    return Paginator(answers, PAGE_SIZE).get_page(page)


def list_my_questions(user: User, *, page: int | str = 1) -> Page[MyQuestion]:
    """The member's own questions that are not deleted (hidden and held ones too: they are
    theirs), newest activity first, each with ``new_answers``: visible answers by others since
    the member last opened this list."""
    seen_at = Profile.objects.filter(user=user).values_list("activity_seen_at", flat=True).first()
    new = Q(answers__visibility=Visibility.VISIBLE) & ~Q(answers__author=user)
    if seen_at is not None:
        new &= Q(answers__created_at__gt=seen_at)
    questions = (
        Question.objects.filter(author=user)
        .exclude(visibility=Visibility.DELETED)
        .select_related("category")
        .annotate(new_answers=Count("answers", filter=new))
        .order_by("-last_activity_at", "-pk")
    )
    return Paginator(questions, PAGE_SIZE).get_page(page)
