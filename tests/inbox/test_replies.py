"""Replies go out in the customer's channel as Delivery rows; notes never do."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.channels.models import Channel, Delivery, DeliveryStatus
from schwarmdesk.community.models import Answer, Question
from schwarmdesk.conversations.actions import receive, start_conversation
from schwarmdesk.conversations.models import Conversation, Visibility
from schwarmdesk.core.errors import Invalid, NotFound
from schwarmdesk.escalation.actions import escalate_due
from schwarmdesk.escalation.models import Escalation
from schwarmdesk.inbox import actions, queries
from schwarmdesk.inbox.models import Mention
from schwarmdesk.people.actions import create_agent
from schwarmdesk.people.models import Agent, Customer, Team
from tests.channels.conftest import FakeApi
from tests.inbox.conftest import Capture, customer_visible_messages, x_message

pytestmark = pytest.mark.django_db


def test_a_reply_creates_a_delivery_on_the_conversations_channel(
    alice: Agent,
    carol_chat: Conversation,
    channels: dict[str, Channel],
    fake_api: FakeApi,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    # when Alice replies to Carol's Telegram message
    with django_capture_on_commit_callbacks(execute=True):
        message = actions.reply(alice, carol_chat.pk, body="Ja, 25 % gibt es zurück.")

    # then one delivery on the Telegram channel is sent to Carol's chat
    delivery = Delivery.objects.get()
    assert delivery.message == message
    assert delivery.channel == channels["telegram"]
    assert delivery.status == DeliveryStatus.SENT
    assert message.visibility == Visibility.PRIVATE
    assert message.author_agent == alice
    [sent] = fake_api.requests
    assert sent.path.endswith("/sendMessage")
    assert isinstance(sent.body, dict)
    assert sent.body["chat_id"] == "5001"


def test_a_reply_can_go_out_on_another_channel_of_the_customer(
    *,
    alice: Agent,
    carol: Customer,
    carol_chat: Conversation,
    channels: dict[str, Channel],
    fake_api: FakeApi,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    # given Carol also wrote to us by X direct message once
    receive(None, channel_id=channels["x"].pk, message=x_message("1001", "77", "Hallo per DM"))

    # when Alice answers the Telegram conversation on X
    with django_capture_on_commit_callbacks(execute=True):
        message = actions.reply(
            alice, carol_chat.pk, body="Antwort per X", channel_id=channels["x"].pk
        )

    # then it belongs to the Telegram conversation but is delivered on X, to Carol's account
    assert message.conversation_id == carol_chat.pk
    assert message.channel_kind == ChannelKind.X
    delivery = Delivery.objects.get(message=message)
    assert delivery.channel == channels["x"]
    [sent] = fake_api.requests
    assert sent.path == "/2/dm_conversations/with/1001/messages"


def test_no_reply_on_a_channel_the_customer_never_used(
    alice: Agent, carol_chat: Conversation, channels: dict[str, Channel], fake_api: FakeApi
) -> None:
    with pytest.raises(Invalid):
        actions.reply(alice, carol_chat.pk, body="Hallo", channel_id=channels["facebook"].pk)
    assert Delivery.objects.count() == 0
    assert carol_chat.messages.count() == 1
    assert fake_api.requests == []


def test_a_note_never_gets_a_delivery_and_is_never_shown_to_the_customer(
    client: Client, alice: Agent, carol_chat: Conversation, fake_api: FakeApi
) -> None:
    # when Alice writes an internal note from the inbox
    client.force_login(alice.user)
    response = client.post(f"/inbox/c/{carol_chat.pk}/note/", {"body": "Kulanz prüfen"})

    # then it is stored as an internal note, never delivered, never in what customers see
    assert response.status_code == 302
    note = carol_chat.messages.get(visibility=Visibility.INTERNAL)
    assert note.body_text == "Kulanz prüfen"
    assert Delivery.objects.count() == 0
    assert fake_api.requests == []
    assert note not in customer_visible_messages(carol_chat)
    # and agents see it, marked as an internal note
    html = client.get(f"/inbox/c/{carol_chat.pk}/").content.decode()
    assert "thread__message--note" in html
    assert "Kulanz prüfen" in html


def test_a_mention_notifies_exactly_the_mentioned_colleague(
    alice: Agent,
    bob: Agent,
    carol_chat: Conversation,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    # given a third agent, Chris, in the travel team, with an e-mail address
    chris = create_agent(
        None,
        username="chris",
        password="chris-password",
        display_name="Chris Conrad",
        initials="CC",
        email="chris@example.com",
        teams=[carol_chat.team] if carol_chat.team else [],
    )
    User.objects.filter(pk=bob.user.pk).update(email="bob@example.com")

    # when Alice mentions Chris by user name (Bob's name appears without an @)
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_note(alice, carol_chat.pk, body="@chris kannst du das mit bob klären?")

    # then Chris, and only Chris, gets an in-app mention and one e-mail
    [mention] = Mention.objects.all()
    assert mention.agent == chris
    assert mention.author == alice
    assert mention.emailed_at is not None
    [email] = mail.outbox
    assert email.to == ["chris@example.com"]
    assert carol_chat.reference in email.subject
    assert f"/inbox/c/{carol_chat.pk}/" in email.body


def test_a_mention_by_initials_and_the_in_app_list(
    client: Client, alice: Agent, bob: Agent, carol_chat: Conversation
) -> None:
    # given the conversation is Bob's now
    actions.assign(alice, carol_chat.pk, assignee_id=bob.pk)

    # when Alice mentions Bob by his initials, and herself
    actions.add_note(alice, carol_chat.pk, body="Bitte @BB ansehen, @AA bleibt dran.")

    # then Bob has one unread mention, shown in his inbox until he opens the conversation
    assert list(Mention.objects.values_list("agent__initials", flat=True)) == ["BB"]
    client.force_login(bob.user)
    html = client.get("/inbox/").content.decode()
    assert "Bitte @BB ansehen" in html
    assert Mention.objects.get().read_at is None

    # when he opens the conversation, the mention is read
    assert client.get(f"/inbox/c/{carol_chat.pk}/").status_code == 200
    assert Mention.objects.get().read_at is not None
    assert "Bitte @BB ansehen" not in client.get("/inbox/").content.decode()


def test_a_colleague_who_may_not_see_the_conversation_is_not_told(
    alice: Agent, bob: Agent, carol_chat: Conversation, django_capture_on_commit_callbacks: Capture
) -> None:
    # given Bob, outside the travel team, with an e-mail address
    User.objects.filter(pk=bob.user.pk).update(email="bob@example.com")

    # when Alice mentions him on the travel team's conversation
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_note(alice, carol_chat.pk, body="@bob weißt du das?")

    # then the note is stored, but nothing of it reaches Bob
    assert carol_chat.messages.filter(visibility=Visibility.INTERNAL).count() == 1
    assert Mention.objects.count() == 0
    assert mail.outbox == []


def test_an_unknown_mention_notifies_nobody(
    alice: Agent, carol_chat: Conversation, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_note(alice, carol_chat.pk, body="Mail an kunde@example.com und @niemand")
    assert Mention.objects.count() == 0
    assert mail.outbox == []


def test_an_agent_outside_the_team_cannot_reply_or_note(
    bob: Agent, carol_chat: Conversation, fake_api: FakeApi
) -> None:
    with pytest.raises(NotFound):
        actions.reply(bob, carol_chat.pk, body="Hallo")
    with pytest.raises(NotFound):
        actions.add_note(bob, carol_chat.pk, body="@alice hallo")
    assert carol_chat.messages.count() == 1
    assert Mention.objects.count() == 0
    assert fake_api.requests == []


def test_a_failed_delivery_shows_the_reason_and_can_be_retried(
    client: Client,
    alice: Agent,
    carol_chat: Conversation,
    fake_api: FakeApi,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    # given a reply the platform refused for good
    fake_api.fail(400, {"ok": False, "description": "Bad Request: chat not found"})
    with django_capture_on_commit_callbacks(execute=True):
        actions.reply(alice, carol_chat.pk, body="Hallo")
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED

    # then the conversation shows the failure with its reason and a retry button
    client.force_login(alice.user)
    html = client.get(f"/inbox/c/{carol_chat.pk}/live/").content.decode()
    assert 'data-delivery="failed"' in html
    assert "chat not found" in html
    assert f"/inbox/deliveries/{delivery.pk}/retry/" in html

    # when Alice presses retry, it is sent
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/inbox/deliveries/{delivery.pk}/retry/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    html = client.get(f"/inbox/c/{carol_chat.pk}/live/").content.decode()
    assert 'data-delivery="sent"' in html


def test_bob_cannot_retry_a_delivery_of_another_team(
    *,
    client: Client,
    alice: Agent,
    bob: Agent,
    carol_chat: Conversation,
    fake_api: FakeApi,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    fake_api.fail(400, {"ok": False, "description": "Bad Request"})
    with django_capture_on_commit_callbacks(execute=True):
        actions.reply(alice, carol_chat.pk, body="Hallo")
    delivery = Delivery.objects.get()
    client.force_login(bob.user)
    assert client.post(f"/inbox/deliveries/{delivery.pk}/retry/").status_code == 404
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert len(fake_api.requests) == 1


def test_a_community_escalation_is_answered_in_the_community(
    client: Client, alice: Agent, carol_user: User, question: Question
) -> None:
    # given Carol's community question escalated to the agents
    with time_machine.travel(question.created_at + dt.timedelta(days=2)):
        escalate_due()
    conversation = Escalation.objects.get(question=question).conversation
    assert conversation is not None
    assert queries.queue_counts(alice)["escalated"] == 1
    assert [c.pk for c in queries.list_conversations(alice, queries.Filters("escalated"))] == [
        conversation.pk
    ]

    # when Alice answers from the inbox
    client.force_login(alice.user)
    page = client.get(f"/inbox/c/{conversation.pk}/").content.decode()
    assert "Official answer in the community" in page or "Offizielle Antwort" in page
    response = client.post(f"/inbox/c/{conversation.pk}/reply/", {"body": "So geht das."})

    # then the answer is posted under the question as hers, and no channel delivery exists
    assert response.status_code == 302
    answer = Answer.objects.get(question=question)
    assert answer.author == alice.user
    assert answer.body == "So geht das."
    assert Delivery.objects.count() == 0
    assert conversation.messages.filter(author_agent=alice).count() == 1


def test_a_reply_without_a_channel_route_is_shown_as_not_sent(
    client: Client, alice: Agent, carol: Customer, travel_team: Team
) -> None:
    # given a conversation that never came in through a configured channel (e.g. the demo's)
    case = start_conversation(
        None, customer=carol, origin_channel=ChannelKind.EMAIL, team=travel_team
    )

    # when Alice replies
    actions.reply(alice, case.pk, body="Hallo")

    # then nothing pretends it was sent: the reply says so
    assert Delivery.objects.count() == 0
    client.force_login(alice.user)
    html = client.get(f"/inbox/c/{case.pk}/live/").content.decode()
    assert 'data-delivery="none"' in html
