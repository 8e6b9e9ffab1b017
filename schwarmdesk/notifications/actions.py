"""Every state change on notifications: follow and unfollow a question, unsubscribe with the
signed link from an e-mail, and send waiting deliveries exactly once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import User
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from schwarmdesk.accounts.actions import require_verified, set_notify_level
from schwarmdesk.accounts.mail import absolute_url, send_templated_mail
from schwarmdesk.accounts.models import NotifyLevel
from schwarmdesk.community.actions import access_question
from schwarmdesk.community.models import Question, Visibility
from schwarmdesk.core.errors import Forbidden, Invalid
from schwarmdesk.notifications.hooks import add_follower, recipient_address
from schwarmdesk.notifications.models import Delivery, DeliveryStatus, Event, Follow
from schwarmdesk.people.actions import Actor

log = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "schwarmdesk.notifications.unsubscribe"
MAX_ATTEMPTS = 5
STUCK_AFTER = timedelta(minutes=15)  # far beyond the SMTP timeout (30 s)
EXCERPT = 600


def _member(actor: Actor) -> User:
    if not isinstance(actor, User) or not actor.is_authenticated or not actor.is_active:
        raise Forbidden(_("Please log in to follow questions."))
    return actor


@transaction.atomic
def follow_question(actor: Actor, question_id: int) -> Follow:
    user = _member(actor)
    require_verified(user)
    question = access_question(actor, question_id)
    return add_follower(user, question)


@transaction.atomic
def unfollow_question(actor: Actor, question_id: int) -> Question:
    user = _member(actor)
    question = access_question(actor, question_id)
    Follow.objects.filter(user=user, question=question).delete()
    return question


def is_following(user: Actor, question: Question) -> bool:
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    return Follow.objects.filter(user=user, question=question).exists()


# --- unsubscribe links ---------------------------------------------------------------------


@dataclass(frozen=True)
class Unsubscribe:
    """What a signed unsubscribe link names: one account, and one question or all e-mails."""

    user: User
    question: Question | None


def unsubscribe_token(user: User, question: Question | None) -> str:
    return signing.dumps(
        {"u": user.pk, "q": question.pk if question is not None else 0}, salt=UNSUBSCRIBE_SALT
    )


def read_unsubscribe_token(token: str) -> Unsubscribe:
    """The account and question a link names; Invalid for a changed or foreign token. The
    links do not expire: an old e-mail's link must still work."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise Invalid(_("This unsubscribe link is not valid.")) from None
    user = User.objects.filter(pk=data.get("u")).first()
    if user is None:
        raise Invalid(_("This unsubscribe link is not valid."))
    question = Question.objects.filter(pk=data.get("q") or 0).first()
    if data.get("q") and question is None:
        raise Invalid(_("This unsubscribe link is not valid."))
    return Unsubscribe(user=user, question=question)


@transaction.atomic
def unsubscribe(*, token: str, everything: bool = False) -> Unsubscribe:
    """Follow an unsubscribe link (no login needed: the signed token is the permission).

    A question's link stops e-mails about that question; ``everything`` (or the link for all
    e-mails) unfollows every question and turns e-mails off."""
    target = read_unsubscribe_token(token)
    if target.question is not None and not everything:
        Follow.objects.filter(user=target.user, question=target.question).delete()
        log.info(
            "notifications.unsubscribed user=%s question=%s", target.user.pk, target.question.pk
        )
        return target
    Follow.objects.filter(user=target.user).delete()
    set_notify_level(target.user, notify=NotifyLevel.NONE)
    log.info("notifications.unsubscribed user=%s question=all", target.user.pk)
    return Unsubscribe(user=target.user, question=None)


# --- sending -------------------------------------------------------------------------------


def _claim(delivery_id: int) -> bool:
    """Move one waiting delivery to "sending"; False when another run has it or sent it."""
    claimed = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now()
    )
    return claimed == 1


def send_delivery(delivery_id: int) -> bool:
    """Send one waiting delivery; True if an e-mail went out. A delivery that is sent (or
    being sent) is never sent again, so a retried task cannot send twice."""
    if not _claim(delivery_id):
        return False
    delivery = Delivery.objects.select_related("question", "answer", "recipient").get(
        pk=delivery_id
    )
    question, answer, user = delivery.question, delivery.answer, delivery.recipient
    address = recipient_address(user)
    if (
        not address
        or not user.is_active
        or question.visibility != Visibility.VISIBLE
        or answer.visibility != Visibility.VISIBLE
        or not Follow.objects.filter(user=user, question=question).exists()
    ):
        _finish(delivery, DeliveryStatus.SKIPPED, "no address, not visible or unfollowed")
        return False
    question_link = unsubscribe_token(user, question)
    all_link = unsubscribe_token(user, None)
    one_click = absolute_url(reverse("notifications:unsubscribe", kwargs={"token": question_link}))
    context = {
        "event": delivery.event,
        "question": question,
        "answer": answer,
        "excerpt": _excerpt(answer.body),
        "is_asker": question.author_id == user.pk,
        "is_answerer": answer.author_id == user.pk,
        "link": absolute_url(answer.get_absolute_url()),
        "unsubscribe_question_url": one_click,
        "unsubscribe_all_url": absolute_url(
            reverse("notifications:unsubscribe", kwargs={"token": all_link})
        ),
        "settings_url": absolute_url(reverse("accounts:settings")),
    }
    try:
        send_templated_mail(
            to=address,
            template=f"notifications/email/{Event(delivery.event).value}",
            context=context,
            language=delivery.language,
            headers={
                "List-Unsubscribe": f"<{one_click}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Auto-Submitted": "auto-generated",
            },
        )
    except Exception as error:
        failed = delivery.attempts >= MAX_ATTEMPTS
        status = DeliveryStatus.FAILED if failed else DeliveryStatus.PENDING
        _finish(delivery, status, f"{type(error).__name__}: {error}"[:300])
        log.warning("notifications.send_failed delivery=%s final=%s", delivery.pk, failed)
        raise
    _finish(delivery, DeliveryStatus.SENT, "")
    log.info("notifications.sent delivery=%s event=%s", delivery.pk, delivery.event)
    return True


def _finish(delivery: Delivery, status: DeliveryStatus, error: str) -> None:
    delivery.status = status
    delivery.error = error
    delivery.sent_at = timezone.now() if status == DeliveryStatus.SENT else None
    delivery.save(update_fields=["status", "error", "sent_at"])


def send_pending() -> int:
    """Send every waiting delivery, oldest first; returns how many e-mails went out.

    A delivery left "sending" for longer than :data:`STUCK_AFTER` (its worker died between
    claiming and finishing) waits again: at worst that one e-mail goes out twice, never zero
    times."""
    Delivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=timezone.now() - STUCK_AFTER
    ).update(status=DeliveryStatus.PENDING)
    waiting = Delivery.objects.filter(status=DeliveryStatus.PENDING).order_by("created_at", "pk")
    return sum(send_delivery(pk) for pk in list(waiting.values_list("pk", flat=True)))


def _excerpt(body: str) -> str:
    text = body.strip()
    return text if len(text) <= EXCERPT else text[:EXCERPT].rsplit(" ", 1)[0] + " …"
