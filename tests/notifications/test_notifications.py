"""Following questions; e-mails on new answers, acceptance and official answers; unsubscribe
links; sending exactly once."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client, override_settings
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks as CaptureCallbacks

from schwarmdesk.accounts.actions import sign_up
from schwarmdesk.accounts.models import NotifyLevel, Profile
from schwarmdesk.community import actions as community
from schwarmdesk.community.models import Question
from schwarmdesk.core.errors import Forbidden
from schwarmdesk.notifications import actions
from schwarmdesk.notifications.hooks import muted
from schwarmdesk.notifications.models import Delivery, DeliveryStatus, Event, Follow
from schwarmdesk.notifications.tasks import (
    send_pending_notifications_task,
    sweep_pending_notifications_task,
)
from schwarmdesk.people.models import Agent

UNSUBSCRIBE = re.compile(re.escape(settings.BASE_URL) + r"(/notifications/unsubscribe/[^/\s]+/)")


def followers(question: Question) -> list[str]:
    return sorted(Follow.objects.filter(question=question).values_list("user__username", flat=True))


def unsubscribe_paths(message: mail.EmailMessage) -> list[str]:
    return UNSUBSCRIBE.findall(str(message.body))


def test_askers_and_answerers_follow_automatically(
    question: Question, dave_user: User, alice: Agent
) -> None:
    assert followers(question) == ["carol"]

    community.post_answer(dave_user, question.pk, body="Im Kundenportal unter Daten.")
    community.post_answer(alice.user, question.pk, body="Genau, unter Meine Daten.")

    assert followers(question) == ["alice", "carol", "dave"]


def test_new_answer_mails_followers_except_the_actor_in_their_language(
    question: Question,
    dave_user: User,
    alice: Agent,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    # given Carol (German) asked and Dave (English) follows
    actions.follow_question(dave_user, question.pk)

    # when Alice, an agent, answers
    with django_capture_on_commit_callbacks(execute=True):
        answer = community.post_answer(alice.user, question.pk, body="Im **Kundenportal**.")

    # then Carol and Dave get one e-mail each, in their language, about an official answer
    assert sorted(message.to[0] for message in mail.outbox) == [
        "carol@example.com",
        "dave@example.org",
    ]
    by_address = {message.to[0]: message for message in mail.outbox}
    title = "Wie kann ich meine Rechnungsadresse ändern?"
    assert by_address["carol@example.com"].subject == f"Das Service-Team hat „{title}“ beantwortet"
    assert by_address["dave@example.org"].subject == f"The support team answered “{title}”"
    english = by_address["dave@example.org"]
    assert "Alice Albers from the support team answered the question you follow:" in english.body
    assert f"{settings.BASE_URL}/community/questions/{question.pk}/#answer-{answer.pk}" in (
        english.body
    )
    assert isinstance(english, mail.EmailMultiAlternatives)
    html, mimetype = english.alternatives[0]
    assert mimetype == "text/html"
    assert "Im **Kundenportal**." in str(html)
    # and every e-mail carries one-click unsubscribe headers (RFC 8058)
    path = unsubscribe_paths(english)[0]
    assert english.extra_headers["List-Unsubscribe"] == f"<{settings.BASE_URL}{path}>"
    assert english.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert list(Delivery.objects.order_by().values_list("event", "status").distinct()) == [
        (Event.OFFICIAL_ANSWER, DeliveryStatus.SENT)
    ]


def test_members_answer_mails_the_asker_but_not_the_answerer(
    question: Question, dave_user: User, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        community.post_answer(dave_user, question.pk, body="Im Kundenportal unter Daten.")

    assert [message.to for message in mail.outbox] == [["carol@example.com"]]
    message = mail.outbox[0]
    assert message.subject == "Neue Antwort auf „Wie kann ich meine Rechnungsadresse ändern?“"
    assert "Dave D. hat auf die Frage geantwortet, der Sie folgen:" in message.body
    assert "Im Kundenportal unter Daten." in message.body


def test_acceptance_mails_the_answerer_not_the_asker_who_accepted(
    question: Question, dave_user: User, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        answer = community.post_answer(dave_user, question.pk, body="Im Kundenportal.")
    mail.outbox.clear()
    carol = question.author

    with django_capture_on_commit_callbacks(execute=True):
        community.accept_answer(carol, answer.pk)

    assert [message.to for message in mail.outbox] == [["dave@example.org"]]
    message = mail.outbox[0]
    title = "Wie kann ich meine Rechnungsadresse ändern?"
    assert message.subject == f"An answer to “{title}” was accepted"
    assert "Your answer was accepted. Thank you for helping!" in message.body


def test_unsubscribe_link_shows_a_confirmation_then_unfollows(
    client: Client,
    question: Question,
    dave_user: User,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    # given Carol's e-mail about Dave's answer
    with django_capture_on_commit_callbacks(execute=True):
        community.post_answer(dave_user, question.pk, body="Im Kundenportal.")
    question_path, all_path = unsubscribe_paths(mail.outbox[0])

    # when she opens the link (no login), then she sees a confirmation and nothing changes
    page = client.get(question_path, headers={"accept-language": "en"})
    assert page.status_code == 200
    assert "Stop e-mails about “Wie kann ich meine Rechnungsadresse ändern?”?" in (
        page.content.decode()
    )
    assert followers(question) == ["carol", "dave"]

    # when she confirms, then she no longer follows; Dave still does
    done = client.post(question_path, {"all": "no"})
    assert done.status_code == 200
    assert followers(question) == ["dave"]

    # and the link for all e-mails turns e-mails off
    client.post(all_path, {"all": "yes"})
    assert Profile.objects.get(user__username="carol").notify == NotifyLevel.NONE


def test_one_click_unsubscribe_works_without_session_or_csrf_token(
    question: Question, dave_user: User, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        community.post_answer(dave_user, question.pk, body="Im Kundenportal.")
    path = unsubscribe_paths(mail.outbox[0])[0]
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert followers(question) == ["dave"]


def test_a_token_cannot_unsubscribe_someone_else(
    client: Client, question: Question, dave_user: User
) -> None:
    # given Dave follows too, and Carol's token
    actions.follow_question(dave_user, question.pk)
    carol_token = actions.unsubscribe_token(question.author, question)
    _payload, _sep, signature = carol_token.partition(":")
    dave_payload = actions.unsubscribe_token(dave_user, question).partition(":")[0]

    # when Carol's signature is put on Dave's payload, then it is refused
    forged = client.post(f"/notifications/unsubscribe/{dave_payload}:{signature}/")
    assert forged.status_code == 400
    # and Carol's own token only ever touches Carol
    client.post(f"/notifications/unsubscribe/{carol_token}/", {"all": "yes"})
    assert followers(question) == ["dave"]
    assert not Profile.objects.filter(user=dave_user).exists()


def test_retried_task_does_not_send_twice(
    question: Question, dave_user: User, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        community.post_answer(dave_user, question.pk, body="Im Kundenportal.")
    assert len(mail.outbox) == 1

    send_pending_notifications_task()
    send_pending_notifications_task()

    assert len(mail.outbox) == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)


class FailOnce(BaseEmailBackend):
    """A mail server that refuses the first message of a test, then accepts."""

    failed = False

    def send_messages(self, email_messages: Any) -> int:
        if not FailOnce.failed:
            FailOnce.failed = True
            raise ConnectionRefusedError("mail server down")
        mail.outbox.extend(email_messages)
        return len(email_messages)


def test_failed_send_stays_pending_and_the_retry_sends_once(
    question: Question, dave_user: User, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    FailOnce.failed = False
    backend = f"{__name__}.FailOnce"
    with override_settings(EMAIL_BACKEND=backend):
        # when the mail server refuses (Huey logs the error and schedules a retry),
        # then the row waits for the retry
        with django_capture_on_commit_callbacks(execute=True):
            community.post_answer(dave_user, question.pk, body="Im Kundenportal.")
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
        assert delivery.error == "ConnectionRefusedError: mail server down"

        # when the task is retried twice, then exactly one e-mail went out
        send_pending_notifications_task()
        send_pending_notifications_task()

    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (NotifyLevel.ALL, ["carol@example.com", "dave@example.org"]),
        (NotifyLevel.MINE, ["carol@example.com"]),
        (NotifyLevel.NONE, []),
    ],
)
def test_preferences_decide_who_gets_mail(
    *,
    question: Question,
    dave_user: User,
    alice: Agent,
    level: NotifyLevel,
    expected: list[str],
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    # given Carol (asker) and Dave (follower) both chose the same level
    actions.follow_question(dave_user, question.pk)
    for user in (question.author, dave_user):
        Profile.objects.create(user=user, notify=level)

    with django_capture_on_commit_callbacks(execute=True):
        community.post_answer(alice.user, question.pk, body="Im Kundenportal.")

    assert sorted(message.to[0] for message in mail.outbox) == expected


def test_unverified_accounts_cannot_follow_and_get_no_mail(
    question: Question, alice: Agent, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    erika = sign_up(
        None,
        username="erika",
        display_name="Erika Engel",
        email="erika@example.com",
        password="Regenbogen-Fahrrad-42",
        has_consented=True,
    )
    with pytest.raises(Forbidden):
        actions.follow_question(erika, question.pk)
    Follow.objects.create(user=erika, question=question)  # followed before, e.g. by an admin

    with django_capture_on_commit_callbacks(execute=True):
        community.post_answer(alice.user, question.pk, body="Im Kundenportal.")

    assert [message.to for message in mail.outbox] == [["carol@example.com"]]


def test_follow_button_with_htmx(client: Client, question: Question, dave_user: User) -> None:
    client.force_login(dave_user)
    url = f"/community/questions/{question.pk}/follow/"

    followed = client.post(url, {"follow": "yes"}, headers={"hx-request": "true"})
    assert followed.status_code == 200
    assert 'value="no" aria-pressed="true"' in followed.content.decode()
    assert followers(question) == ["carol", "dave"]

    page = client.get(f"/community/questions/{question.pk}/").content.decode()
    assert 'value="no" aria-pressed="true"' in page

    unfollowed = client.post(url, {"follow": "no"})
    assert unfollowed.status_code == 302
    assert followers(question) == ["carol"]


def test_anonymous_follow_goes_to_login(client: Client, question: Question) -> None:
    response = client.post(f"/community/questions/{question.pk}/follow/", {"follow": "yes"})

    assert response.status_code == 302
    assert response["Location"] == (f"/accounts/login/?next=/community/questions/{question.pk}/")
    assert followers(question) == ["carol"]


def test_muted_loading_sends_nothing(
    question: Question, dave_user: User, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    with muted(), django_capture_on_commit_callbacks(execute=True) as callbacks:
        community.post_answer(dave_user, question.pk, body="Im Kundenportal.")

    assert [callback.__name__ for callback in callbacks if "wake" in callback.__name__] == []
    assert Delivery.objects.count() == 0
    assert followers(question) == ["carol", "dave"]


def test_titles_are_not_html_escaped_in_plain_text(
    question: Question, dave_user: User, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    Question.objects.filter(pk=question.pk).update(title="Rechnung & Adresse <neu>")

    with django_capture_on_commit_callbacks(execute=True):
        community.post_answer(dave_user, question.pk, body="A & B <b>fett</b>")

    message = mail.outbox[0]
    assert isinstance(message, mail.EmailMultiAlternatives)
    assert message.subject == "Neue Antwort auf „Rechnung & Adresse <neu>“"
    assert "Rechnung & Adresse <neu>" in message.body
    assert "A & B <b>fett</b>" in message.body
    html = str(message.alternatives[0][0])
    assert "Rechnung &amp; Adresse &lt;neu&gt;" in html
    assert "<b>fett</b>" not in html


def test_a_delivery_stuck_in_sending_is_sent_by_the_sweep(
    question: Question, dave_user: User
) -> None:
    # given a delivery a dead worker claimed 20 minutes ago (the wake-up was never run)
    community.post_answer(dave_user, question.pk, body="Im Kundenportal.")
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING,
        attempts=1,
        claimed_at=timezone.now() - timedelta(minutes=20),
    )

    # when the periodic sweep runs, then it is sent once
    assert sweep_pending_notifications_task.call_local() == 1
    assert sweep_pending_notifications_task.call_local() == 0
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)


def test_a_delivery_being_sent_right_now_is_left_alone(question: Question, dave_user: User) -> None:
    community.post_answer(dave_user, question.pk, body="Im Kundenportal.")
    Delivery.objects.update(
        status=DeliveryStatus.SENDING, attempts=1, claimed_at=timezone.now() - timedelta(minutes=1)
    )

    assert sweep_pending_notifications_task.call_local() == 0
    assert mail.outbox == []
