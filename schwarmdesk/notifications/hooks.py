"""What the community's actions call inside their transaction: askers and answerers follow,
and every follower who wants it gets a delivery row, sent after commit by a Huey task.

This module imports only models (never ``community.actions``), so the community's actions can
call it without an import cycle.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from schwarmdesk.accounts.models import NotifyLevel, Profile
from schwarmdesk.community.models import Answer, Question
from schwarmdesk.notifications.models import Delivery, Event, Follow
from schwarmdesk.people.models import Customer

log = logging.getLogger(__name__)

_muted: ContextVar[bool] = ContextVar("notifications_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """No e-mails for what happens inside (loading demo data, imports); follows still count."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def add_follower(user: User, question: Question) -> Follow:
    """Idempotent: following twice is following once."""
    try:
        with transaction.atomic():
            follow, _created = Follow.objects.get_or_create(user=user, question=question)
    except IntegrityError:  # the same follow was stored a moment ago by another request
        follow = Follow.objects.get(user=user, question=question)
    return follow


def question_posted(question: Question) -> None:
    add_follower(question.author, question)


def answer_posted(answer: Answer) -> None:
    """A new answer: the answerer follows; followers hear of it (an agent's answer is an
    official answer)."""
    add_follower(answer.author, answer.question)
    event = Event.OFFICIAL_ANSWER if answer.is_official else Event.NEW_ANSWER
    _notify_followers(event, answer, actor_id=answer.author_id)


def answer_accepted(actor: User, answer: Answer) -> None:
    _notify_followers(Event.ACCEPTED, answer, actor_id=actor.pk)


def recipient_address(user: User) -> str:
    """The account's e-mail address, else its customer's; empty when there is none."""
    if user.email:
        return user.email
    customer = Customer.objects.filter(user=user).only("email").first()
    return customer.email if customer is not None else ""


def recipient_language(user: User, question: Question) -> str:
    """The language the member chose, else their customer record's, else the question's."""
    profile = Profile.objects.filter(user=user).only("language").first()
    if profile is not None and profile.language:
        return profile.language
    customer = Customer.objects.filter(user=user).only("language").first()
    if customer is not None and customer.language:
        return customer.language
    return question.language or "de"


def _wants(user: User, question: Question) -> bool:
    profile = Profile.objects.filter(user=user).first()
    if profile is None:
        return True  # accounts from before preferences: every followed question
    if not profile.is_email_verified:
        return False  # never mail an address nobody has confirmed
    if profile.notify == NotifyLevel.NONE:
        return False
    return profile.notify == NotifyLevel.ALL or question.author_id == user.pk


def _notify_followers(event: Event, answer: Answer, *, actor_id: int) -> None:
    if _muted.get():
        return
    question = answer.question
    followers = (
        User.objects.filter(follows__question=question, is_active=True)
        .exclude(pk=actor_id)
        .order_by("pk")
    )
    rows = [
        Delivery(
            event=event,
            question=question,
            answer=answer,
            recipient=user,
            language=recipient_language(user, question),
        )
        for user in followers
        if _wants(user, question) and recipient_address(user)
    ]
    if not rows:
        return
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    log.info(
        "notifications.queued event=%s answer=%s recipients=%s", event.value, answer.pk, len(rows)
    )
    transaction.on_commit(_wake_sender)


def _wake_sender() -> None:
    from schwarmdesk.notifications.tasks import send_pending_notifications_task  # noqa: PLC0415

    send_pending_notifications_task()
