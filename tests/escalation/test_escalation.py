"""Escalation: an unhelped question becomes one conversation in the agents' queue when its
deadline passes; help before the deadline cancels it; an agent's reply is posted publicly."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core import mail
from django.test import Client

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.community import actions as community
from schwarmdesk.community.models import Answer, Category, Question, Vote
from schwarmdesk.conversations.models import Conversation, Direction, Message, Visibility
from schwarmdesk.core.errors import Forbidden, Invalid, NotFound
from schwarmdesk.escalation.actions import answer_escalation, escalate_due, note_escalation
from schwarmdesk.escalation.demo import settle_demo_escalations
from schwarmdesk.escalation.models import (
    BusinessHours,
    CancelReason,
    Escalation,
    EscalationPolicy,
    State,
)
from schwarmdesk.escalation.tasks import escalate_due_task
from schwarmdesk.people.actions import Actor
from schwarmdesk.people.models import Agent, Customer

BERLIN = ZoneInfo("Europe/Berlin")
FRIDAY_EVENING = dt.datetime(2026, 11, 20, 17, 30, tzinfo=BERLIN)
MONDAY_0929 = dt.datetime(2026, 11, 23, 9, 29, tzinfo=BERLIN)
MONDAY_0930 = dt.datetime(2026, 11, 23, 9, 30, tzinfo=BERLIN)


def ask(user: User, category: Category, title: str = "Router blinkt rot, was tun?") -> Question:
    return community.post_question(user, category=category, title=title, body="Seit gestern.")


@pytest.fixture
def friday_question(office_hours: BusinessHours, carol_user: User, router: Category) -> Question:
    with time_machine.travel(FRIDAY_EVENING, tick=False):
        return ask(carol_user, router)


def test_posting_schedules_the_escalation_in_business_hours(friday_question: Question) -> None:
    escalation = Escalation.objects.get(question=friday_question)

    assert escalation.state == State.SCHEDULED
    assert escalation.due_at == MONDAY_0930


def test_default_is_two_hours_around_the_clock(carol_user: User, router: Category) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 21, 23, 0, tzinfo=BERLIN), tick=False):
        question = ask(carol_user, router)

    assert question.escalation.due_at == dt.datetime(2026, 11, 22, 1, 0, tzinfo=BERLIN)


def test_the_deadline_is_set_per_category(
    carol_user: User, router: Category, billing: Category
) -> None:
    EscalationPolicy.objects.create(category=router, deadline_minutes=30)
    EscalationPolicy.objects.create(category=billing, is_enabled=False)
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN), tick=False):
        quick = ask(carol_user, router)
        never = ask(carol_user, billing, "Rechnung doppelt bekommen")

    assert quick.escalation.due_at == dt.datetime(2026, 11, 23, 10, 30, tzinfo=BERLIN)
    assert not Escalation.objects.filter(question=never).exists()


def test_nothing_happens_before_the_deadline(friday_question: Question) -> None:
    assert escalate_due(MONDAY_0929) == []

    assert Conversation.objects.count() == 0
    assert Escalation.objects.get().state == State.SCHEDULED


def test_due_question_opens_exactly_one_conversation(
    friday_question: Question, carol: Customer
) -> None:
    handled = escalate_due(MONDAY_0930)
    escalate_due(MONDAY_0930 + dt.timedelta(minutes=1))  # the next run finds nothing to do

    assert [e.question_id for e in handled] == [friday_question.pk]
    conversation = Conversation.objects.get()
    escalation = Escalation.objects.get()
    assert escalation.state == State.ESCALATED
    assert escalation.conversation == conversation
    assert escalation.escalated_at == MONDAY_0930
    assert conversation.customer == carol
    assert conversation.origin_channel == ChannelKind.COMMUNITY
    assert conversation.subject == "Router blinkt rot, was tun?"
    message = Message.objects.get()
    assert message.direction == Direction.INBOUND
    assert message.author_customer == carol
    assert message.body_text == (
        "Router blinkt rot, was tun?\n\nSeit gestern.\n\n"
        f"Community-Frage: {settings.BASE_URL}/community/questions/{friday_question.pk}/"
    )


def test_the_periodic_task_escalates(friday_question: Question) -> None:
    with time_machine.travel(MONDAY_0930, tick=False):
        assert escalate_due_task.call_local() == 1
        assert escalate_due_task.call_local() == 0

    assert Conversation.objects.count() == 1


def test_an_asker_without_customer_record_gets_one(router: Category) -> None:
    erin = User.objects.create_user(username="erin", email="erin@example.net")
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN), tick=False):
        question = ask(erin, router)

    escalate_due(dt.datetime(2026, 11, 23, 12, 0, tzinfo=BERLIN))

    conversation = Conversation.objects.get()
    assert conversation.customer.user == erin
    assert conversation.customer.email == "erin@example.net"
    assert question.escalation.state == State.SCHEDULED  # the loaded object is stale
    assert Escalation.objects.get().state == State.ESCALATED


def test_an_accepted_answer_before_the_deadline_cancels(
    friday_question: Question, carol_user: User, dave_user: User
) -> None:
    answer = community.post_answer(dave_user, friday_question.pk, body="Neu starten.")
    community.accept_answer(carol_user, answer.pk)

    escalate_due(MONDAY_0930)

    escalation = Escalation.objects.get()
    assert (escalation.state, escalation.cancel_reason) == (State.CANCELLED, CancelReason.ACCEPTED)
    assert Conversation.objects.count() == 0


def test_an_upvoted_answer_before_the_deadline_cancels(
    friday_question: Question, dave_user: User, alice: Agent
) -> None:
    answer = community.post_answer(dave_user, friday_question.pk, body="Neu starten.")
    community.cast_vote(alice.user, answer_id=answer.pk, value=1)

    escalate_due(MONDAY_0930)

    escalation = Escalation.objects.get()
    assert (escalation.state, escalation.cancel_reason) == (State.CANCELLED, CancelReason.UPVOTED)
    assert Conversation.objects.count() == 0


def test_a_downvoted_answer_does_not_cancel(
    friday_question: Question, dave_user: User, alice: Agent
) -> None:
    answer = community.post_answer(dave_user, friday_question.pk, body="Keine Ahnung.")
    community.cast_vote(alice.user, answer_id=answer.pk, value=-1)

    escalate_due(MONDAY_0930)

    assert Escalation.objects.get().state == State.ESCALATED
    assert Conversation.objects.count() == 1


def test_help_found_only_at_due_time_cancels_too(
    friday_question: Question, dave_user: User, alice: Agent
) -> None:
    answer = community.post_answer(dave_user, friday_question.pk, body="Neu starten.")
    Escalation.objects.update(state=State.SCHEDULED)  # as if the vote's hook had not run
    Vote.objects.create(user=alice.user, answer=answer, value=1)

    escalate_due(MONDAY_0930)

    assert Escalation.objects.get().cancel_reason == CancelReason.UPVOTED
    assert Conversation.objects.count() == 0


def test_a_deleted_question_is_not_escalated(friday_question: Question, carol_user: User) -> None:
    community.delete_question(carol_user, friday_question.pk)

    escalate_due(MONDAY_0930)

    assert Escalation.objects.get().cancel_reason == CancelReason.REMOVED
    assert Conversation.objects.count() == 0


@pytest.fixture
def escalated(friday_question: Question) -> Conversation:
    escalate_due(MONDAY_0930)
    return Conversation.objects.get()


def test_agent_answer_is_posted_publicly_as_official(
    client: Client, escalated: Conversation, friday_question: Question, alice: Agent
) -> None:
    answer = answer_escalation(alice.user, escalated.pk, body="Bitte den Router neu starten.")

    assert answer.is_official
    assert answer.author == alice.user
    assert answer.question == friday_question
    reply = Message.objects.get(direction=Direction.OUTBOUND)
    assert reply.visibility == Visibility.PUBLIC
    assert reply.author_agent == alice
    assert reply.body_text == (
        "Bitte den Router neu starten.\n\n"
        f"{settings.BASE_URL}{friday_question.get_absolute_url()}#answer-{answer.pk}"
    )
    html = client.get(friday_question.get_absolute_url()).content.decode()
    assert "Bitte den Router neu starten." in html
    assert '<span class="author__name">Alice Albers</span>' in html
    assert "Offizielle Antwort" in html


def test_an_internal_note_is_never_public(
    client: Client, escalated: Conversation, friday_question: Question, alice: Agent
) -> None:
    note = note_escalation(alice.user, escalated.pk, body="Kunde hat Tarif XL, intern prüfen")

    assert note.visibility == Visibility.INTERNAL
    assert Answer.objects.count() == 0
    html = client.get(friday_question.get_absolute_url()).content.decode()
    assert "intern prüfen" not in html


@pytest.mark.parametrize("who", ["anonymous", "asker", "other_customer"])
def test_only_agents_answer_escalations(
    escalated: Conversation, carol_user: User, dave_user: User, who: str
) -> None:
    actors: dict[str, Actor] = {
        "anonymous": AnonymousUser(),
        "asker": carol_user,
        "other_customer": dave_user,
    }
    actor = actors[who]

    with pytest.raises(Forbidden):
        answer_escalation(actor, escalated.pk, body="Ich antworte offiziell.")
    with pytest.raises(Forbidden):
        note_escalation(actor, escalated.pk, body="Notiz")

    assert Answer.objects.count() == 0
    assert Message.objects.count() == 1


def test_an_ordinary_conversation_is_no_escalation(
    carol_conversation: Conversation, alice: Agent
) -> None:
    with pytest.raises(NotFound):
        answer_escalation(alice.user, carol_conversation.pk, body="Hallo")

    assert Answer.objects.count() == 0


def test_an_empty_answer_is_refused(escalated: Conversation, alice: Agent) -> None:
    with pytest.raises(Invalid):
        answer_escalation(alice.user, escalated.pk, body="  \n ")

    assert Answer.objects.count() == 0
    assert Message.objects.count() == 1


def test_an_official_answer_before_the_deadline_cancels(
    friday_question: Question, alice: Agent
) -> None:
    community.post_answer(alice.user, friday_question.pk, body="Wir schauen uns das an.")

    assert Escalation.objects.get().cancel_reason == CancelReason.OFFICIAL


def test_demo_staging_backdates_timers_and_keeps_one_about_to_escalate(
    carol_user: User, dave_user: User, router: Category
) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 23, 12, 0, tzinfo=BERLIN), tick=False):
        old = ask(carol_user, router, "Alte offene Frage zum Router")
        new = ask(dave_user, router, "Welcher Tarif passt zu mir?")
        Question.objects.filter(pk=old.pk).update(
            created_at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=BERLIN)
        )
        now = dt.datetime(2026, 11, 23, 12, 0, tzinfo=BERLIN)

        overdue = settle_demo_escalations(now=now)

    assert overdue == 1
    assert Escalation.objects.get(question=old).due_at == dt.datetime(
        2026, 11, 20, 11, 0, tzinfo=BERLIN
    )
    assert Escalation.objects.get(question=new).due_at == dt.datetime(
        2026, 11, 23, 12, 15, tzinfo=BERLIN
    )


def test_the_asker_gets_one_e_mail_when_the_agent_answers(
    escalated: Conversation, alice: Agent, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        answer_escalation(alice.user, escalated.pk, body="Bitte den Router neu starten.")

    assert [message.to for message in mail.outbox] == [["carol@example.com"]]
    assert "Bitte den Router neu starten." in mail.outbox[0].body
