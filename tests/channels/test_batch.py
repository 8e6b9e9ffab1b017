"""The worker's batch path: accept a webhook's raw body now, parse and store many at once."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from huey import Huey
from pytest_django import DjangoCaptureOnCommitCallbacks as CaptureCallbacks
from pytest_django import Settings as SettingsWrapper

from schwarmdesk.automation.models import Triage
from schwarmdesk.channels import batch
from schwarmdesk.channels.actions import INTERRUPTED_SEND, SENDING_LEASE, deliver_due, ingest
from schwarmdesk.channels.adapters.base import InboundRequest, ParseError
from schwarmdesk.channels.batch import (
    accept,
    follow_up_missing,
    follow_up_received,
    process_all_received,
    process_received,
    queue_processing,
)
from schwarmdesk.channels.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    EventStatus,
    InboundEvent,
    MessageRoute,
)
from schwarmdesk.conversations.models import Conversation, Direction, Message, Status, Visibility
from schwarmdesk.people.evidence import EvidenceKind
from schwarmdesk.people.models import Agent, ChannelIdentity, Customer
from tests.channels.conftest import FakeApi, fixture_bytes, post_webhook, signed_headers


def update(number: int, *, sender: int = 1, text: str = "", reply_to: int | None = None) -> bytes:
    user = 5_100_000_000 + sender
    message: dict[str, object] = {
        "message_id": number,
        "from": {"id": user, "is_bot": False, "first_name": "Erika", "language_code": "de"},
        "chat": {"id": user, "first_name": "Erika", "type": "private"},
        "date": 1_763_900_000 + number,
        "text": text or f"Frage {number}: wo bleibt meine Erstattung?",
    }
    if reply_to is not None:
        message["reply_to_message"] = {
            "message_id": reply_to,
            "chat": {"id": user, "type": "private"},
            "from": {"id": user, "is_bot": False, "first_name": "Erika"},
            "date": 1_763_900_000,
        }
    return json.dumps({"update_id": 700_000 + number, "message": message}).encode()


def request(body: bytes) -> InboundRequest:
    headers = {name.lower(): value for name, value in signed_headers("telegram", body).items()}
    return InboundRequest(method="POST", body=body, headers=headers)


@pytest.fixture
def telegram(channels: dict[str, Channel]) -> Channel:
    return channels["telegram"]


def test_accepted_events_wait_for_the_worker_then_are_stored_like_receive_stores_them(
    telegram: Channel,
) -> None:
    # given two messages of a new sender and one of another, accepted by the webhook
    for body in (update(1), update(2), update(3, sender=2)):
        assert accept(telegram, request(body)).event is not None
    assert Message.objects.count() == 0
    assert InboundEvent.objects.filter(status=EventStatus.RECEIVED).count() == 3

    # when the worker takes the backlog in one batch
    result = process_received()

    # then every event is processed with its message, each sender is one customer
    assert (result.events, len(result.messages), result.duplicates) == (3, 3, 0)
    assert set(InboundEvent.objects.values_list("status", "message_count")) == {
        (EventStatus.PROCESSED, 1)
    }
    identity = ChannelIdentity.objects.get(kind="telegram", external_id="5100000001")
    assert (identity.link_evidence, identity.is_verified) == (EvidenceKind.FIRST_CONTACT, True)
    assert identity.linked_at is not None
    assert Customer.objects.count() == 2
    assert identity.customer.display_name == "Erika"
    assert identity.customer.language == "de"
    # and the first sender's two messages share one conversation, named by the first line
    conversation = Conversation.objects.get(customer=identity.customer)
    assert conversation.subject == "Frage 1: wo bleibt meine Erstattung?"
    assert (conversation.origin_channel, conversation.language) == ("telegram", "de")
    assert list(conversation.messages.order_by("pk").values_list("external_id", flat=True)) == [
        "5100000001:1",
        "5100000001:2",
    ]
    route = MessageRoute.objects.get(message__external_id="5100000001:2")
    assert (route.channel_id, route.thread_key) == (telegram.pk, "chat:5100000001")
    assert route.reply_context == {"chat_id": "5100000001", "message_id": "2"}
    message = route.message
    assert (message.direction, message.visibility, message.author_customer_id) == (
        Direction.INBOUND,
        Visibility.PRIVATE,
        identity.customer_id,
    )
    assert message.received_at is not None
    assert process_received().events == 0


def test_the_batch_joins_the_conversation_an_earlier_request_started_and_reopens_it(
    telegram: Channel,
) -> None:
    # given a conversation started through the synchronous path and solved since
    first = ingest(telegram, request(update(1))).messages[0]
    Conversation.objects.filter(pk=first.conversation_id).update(status=Status.SOLVED)
    # when the same sender writes again through the batch path
    accept(telegram, request(update(2)))
    process_received()
    # then the message joins that conversation, open again, with the same customer
    second = Message.objects.get(external_id="5100000001:2")
    assert second.conversation_id == first.conversation_id
    assert second.author_customer_id == first.author_customer_id
    assert Conversation.objects.get(pk=first.conversation_id).status == Status.OPEN
    assert Customer.objects.count() == 1


def test_a_redelivery_is_one_event_and_a_reserialised_one_is_one_message(
    telegram: Channel,
) -> None:
    body = update(1)
    # given the same bytes twice, and the same update with other bytes (a re-serialising proxy)
    assert accept(telegram, request(body)).event is not None
    again = accept(telegram, request(body))
    reworded = json.dumps(json.loads(body), indent=2, sort_keys=True).encode()
    assert accept(telegram, request(reworded)).event is not None
    # when the worker processes the backlog (once in this batch, once later)
    result = process_received()
    accept(telegram, request(json.dumps(json.loads(body), indent=3).encode()))
    later = process_received()
    # then one message, every event processed
    assert (again.event, again.is_duplicate) == (None, True)
    assert (len(result.messages), result.duplicates) == (1, 1)
    assert (len(later.messages), later.duplicates) == (0, 1)
    assert Message.objects.filter(external_id="5100000001:1").count() == 1
    assert set(InboundEvent.objects.values_list("status", flat=True)) == {EventStatus.PROCESSED}


def test_malformed_ignored_and_empty_events(telegram: Channel) -> None:
    # a malformed body is kept as malformed and refused
    with pytest.raises(ParseError):
        accept(telegram, request(b'{"update_id": "x"}'))
    assert InboundEvent.objects.get().status == EventStatus.MALFORMED
    # an update with nothing for us (an edit) is not kept
    edited = fixture_bytes("telegram", "ignored_edited_message.json")
    assert accept(telegram, request(edited)).event is None
    # a malformed row that reached the backlog anyway does not hold up the others
    InboundEvent.objects.create(channel=telegram, body=b"[]", body_sha256="0" * 64)
    accept(telegram, request(update(1)))
    result = process_received()
    assert (result.events, len(result.messages), result.malformed) == (2, 1, 1)
    assert InboundEvent.objects.filter(status=EventStatus.MALFORMED).count() == 2
    assert Message.objects.count() == 1


def test_messages_the_bulk_path_does_not_cover_go_through_receive(telegram: Channel) -> None:
    # given a message that answers an earlier one (threaded by its reply id)
    first = ingest(telegram, request(update(1))).messages[0]
    event = accept(telegram, request(update(2, reply_to=1))).event
    assert event is not None
    # when the worker processes it
    result = process_received()
    # then it is stored by receive, in the conversation it answers
    assert len(result.messages) == 1
    answer = Message.objects.get(external_id="5100000001:2")
    assert answer.conversation_id == first.conversation_id
    event.refresh_from_db()
    assert (event.status, event.message_count) == (EventStatus.PROCESSED, 1)


def test_follow_up_counts_indexes_and_triages_once(telegram: Channel) -> None:
    accept(telegram, request(update(1)))
    accept(telegram, request(update(2)))
    result = process_received()
    conversation = Conversation.objects.get()
    assert conversation.message_count == 0  # counted by the follow-up, not in the batch

    assert follow_up_received(result.messages, sorted(result.conversations)) == 2
    conversation.refresh_from_db()
    assert (conversation.message_count, conversation.inbound_count) == (2, 2)
    assert Triage.objects.filter(message_id__in=result.messages).count() == 2
    # run again (a task repeated after a killed worker): nothing triaged twice
    assert follow_up_received(result.messages, sorted(result.conversations)) == 0
    assert Triage.objects.count() == 2


def test_the_sweep_queues_follow_ups_that_were_lost(telegram: Channel) -> None:
    accept(telegram, request(update(1)))
    process_received()
    assert Triage.objects.count() == 0
    # within the grace period the queued task is trusted
    assert follow_up_missing() == 0
    # after it, the message is followed up again (the queue runs tasks at once in tests)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert follow_up_missing() == 1
    assert Triage.objects.count() == 1
    assert follow_up_missing(grace=timedelta(0)) == 0


def test_accept_wakes_the_worker_after_commit(
    telegram: Channel, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        accept(telegram, request(update(1)))
    # the queue runs tasks at once in tests: processed and followed up
    assert InboundEvent.objects.get().status == EventStatus.PROCESSED
    assert Triage.objects.count() == 1
    assert process_all_received() == 0


def interrupted_delivery(alice: Agent, channel: Channel, body: bytes) -> Delivery:
    """A reply whose worker died between recording the attempt and its outcome."""
    from schwarmdesk.channels.actions import reply

    message = ingest(channel, InboundRequest("POST", body, {})).messages[0]
    reply(alice, message.conversation_id, body="Das Geld ist unterwegs.", visibility="private")
    Delivery.objects.update(
        status=DeliveryStatus.SENDING, attempts=1, next_attempt_at=timezone.now() + SENDING_LEASE
    )
    return Delivery.objects.get()


def test_an_interrupted_telegram_send_is_never_repeated_but_shown_as_failed(
    telegram: Channel, alice: Agent, fake_api: FakeApi
) -> None:
    body = update(1)
    interrupted_delivery(alice, telegram, body)
    assert deliver_due() == 0  # the lease still runs: nothing is sent
    with time_machine.travel(timezone.now() + SENDING_LEASE + timedelta(seconds=1)):
        assert deliver_due() == 0
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.FAILED, INTERRUPTED_SEND)
    assert fake_api.requests == []


def test_an_interrupted_mastodon_send_is_repeated_with_its_idempotency_key(
    channels: dict[str, Channel], alice: Agent, fake_api: FakeApi
) -> None:
    notifications = fixture_bytes("mastodon", "notifications.json")
    delivery = interrupted_delivery(alice, channels["mastodon"], notifications)
    with time_machine.travel(timezone.now() + SENDING_LEASE + timedelta(seconds=1)):
        assert deliver_due() == 1
    [sent] = fake_api.requests
    assert sent.headers["idempotency-key"] == f"schwarmdesk-delivery-{delivery.pk}"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)


def test_an_event_the_batch_cannot_handle_is_set_aside_and_the_others_are_stored(
    telegram: Channel,
) -> None:
    # given an event of a channel whose kind has no adapter any more, among good ones
    retired = Channel.objects.create(kind="telegram", name="Old bot")
    InboundEvent.objects.create(channel=retired, body=update(9), body_sha256="9" * 64)
    Channel.objects.filter(pk=retired.pk).update(kind="fax")
    accept(telegram, request(update(1)))
    # when the worker takes the backlog
    result = process_received()
    # then the good event is stored, the other kept with the reason, nothing waits
    assert (result.events, len(result.messages), result.malformed) == (2, 1, 1)
    kept = InboundEvent.objects.get(channel=retired)
    assert (kept.status, kept.error) == (
        EventStatus.MALFORMED,
        "could not be stored: KeyError: 'fax'",
    )
    assert not InboundEvent.objects.filter(status=EventStatus.RECEIVED).exists()


def test_a_queued_webhook_answers_accepted_and_a_worker_stores_its_message(
    telegram: Channel, client: Client, settings: SettingsWrapper
) -> None:
    settings.WEBHOOK_PROCESSING = "queued"
    body = update(1)
    # a verified request is kept for the worker; the same bytes again are a duplicate
    assert post_webhook(client, telegram, body).content == b"accepted"
    assert post_webhook(client, telegram, body).content == b"duplicate"
    assert Message.objects.count() == 0
    # malformed, unsigned and empty requests get what the inline path gives them
    assert post_webhook(client, telegram, b'{"update_id": 1}').status_code == 200
    assert post_webhook(client, telegram, b"[").status_code == 400
    assert post_webhook(client, telegram, body, headers={}).status_code == 401
    edited = fixture_bytes("telegram", "ignored_edited_message.json")
    assert post_webhook(client, telegram, edited).content == b"ignored"
    # the worker stores the accepted message
    assert process_all_received() == 1
    assert Message.objects.get().external_id == "5100000001:1"


def test_a_burst_of_webhooks_wakes_the_worker_once(
    real_queue: Huey, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a delay a loaded test machine cannot overrun between three calls in a row
    delay = timedelta(seconds=1)
    monkeypatch.setattr(batch, "WAKE_DELAY", delay)
    # when three commits in a row ask for a worker (the queue is real: nothing runs inline)
    for _ in range(3):
        queue_processing()
    # then one wake-up task is queued, after the delay
    deadline = time.monotonic() + 10
    while real_queue.pending_count() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(delay.total_seconds() * 2)  # a second timer would have fired by now
    assert [task.name for task in real_queue.pending()] == ["process_received_task"]
    # and the next commit arms a new one
    queue_processing()
    while real_queue.pending_count() == 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert real_queue.pending_count() == 2


def test_bulk_inserts_raise_djangos_integrity_error_so_a_lost_race_is_retried(
    telegram: Channel,
) -> None:
    # given an event kept once
    row = {"channel_id": telegram.pk, "body": b"{}", "body_sha256": "0" * 64, "headers": {}}
    assert len(batch.insert_rows(InboundEvent, [row])) == 1

    # when the same row is inserted again (on PostgreSQL through psycopg's own cursor)
    with pytest.raises(IntegrityError), transaction.atomic():
        batch.insert_rows(InboundEvent, [row])

    # then skipping conflicts inserts and returns nothing
    assert (
        batch.insert_returning(
            InboundEvent, [row], ignore_conflicts=True, returning=("channel_id",)
        )
        == []
    )
    assert InboundEvent.objects.count() == 1
