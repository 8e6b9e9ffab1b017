"""Messages: idempotent external ids, authorship invariants, counters, attachments."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import translation
from PIL import Image
from pytest_django import DjangoCaptureOnCommitCallbacks as CaptureCallbacks

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.conversations.actions import add_message, attach_file, set_status
from schwarmdesk.conversations.models import (
    Attachment,
    Conversation,
    Direction,
    Message,
    Status,
    Visibility,
)
from schwarmdesk.core.errors import Conflict, Invalid
from schwarmdesk.people.models import Agent, Customer


def inbound(conversation: Conversation, customer: Customer, external_id: str) -> Message:
    return add_message(
        None,
        conversation,
        direction=Direction.INBOUND,
        visibility=Visibility.PUBLIC,
        channel_kind=ChannelKind.EMAIL,
        body_text="Mein Zug ist ausgefallen.",
        external_id=external_id,
        author_customer=customer,
        raw_payload={"subject": "Erstattung"},
    )


def test_second_message_with_same_external_id_fails_cleanly(
    carol: Customer,
    carol_conversation: Conversation,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        inbound(carol_conversation, carol, "<a1@mail.example.com>")
    with (
        pytest.raises(Conflict, match="already stored"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        inbound(carol_conversation, carol, "<a1@mail.example.com>")
    assert callbacks == []  # the refused message queued no work
    # the surrounding transaction is still usable and nothing was half-stored
    assert Message.objects.filter(external_id="<a1@mail.example.com>").count() == 1
    carol_conversation.refresh_from_db()
    assert carol_conversation.message_count == 1


def test_same_external_id_on_other_channel_is_allowed(
    carol: Customer, carol_conversation: Conversation
) -> None:
    inbound(carol_conversation, carol, "777")
    add_message(
        None,
        carol_conversation,
        direction=Direction.INBOUND,
        visibility=Visibility.PUBLIC,
        channel_kind=ChannelKind.TELEGRAM,
        body_text="Hallo?",
        external_id="777",
        author_customer=carol,
    )
    assert Message.objects.filter(external_id="777").count() == 2


def test_messages_without_external_id_do_not_collide(
    alice: Agent, carol_conversation: Conversation
) -> None:
    for text in ("Notiz eins", "Notiz zwei"):
        add_message(
            alice.user,
            carol_conversation,
            direction=Direction.OUTBOUND,
            visibility=Visibility.INTERNAL,
            channel_kind=ChannelKind.EMAIL,
            body_text=text,
            author_agent=alice,
        )
    assert carol_conversation.messages.filter(external_id="").count() == 2


def test_database_rejects_duplicate_external_id_directly(
    carol: Customer, carol_conversation: Conversation
) -> None:
    inbound(carol_conversation, carol, "<dup@mail.example.com>")
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            conversation=carol_conversation,
            direction=Direction.INBOUND,
            visibility=Visibility.PUBLIC,
            channel_kind=ChannelKind.EMAIL,
            external_id="<dup@mail.example.com>",
            body_text="copy",
        )


def test_internal_note_rules_hold_in_actions_and_database(
    alice: Agent, carol: Customer, carol_conversation: Conversation
) -> None:
    with pytest.raises(Invalid, match="needs an agent"):
        add_message(
            None,
            carol_conversation,
            direction=Direction.OUTBOUND,
            visibility=Visibility.INTERNAL,
            channel_kind=ChannelKind.EMAIL,
            body_text="x",
        )
    with pytest.raises(Invalid, match="cannot come in from a channel"):
        add_message(
            None,
            carol_conversation,
            direction=Direction.INBOUND,
            visibility=Visibility.INTERNAL,
            channel_kind=ChannelKind.EMAIL,
            body_text="x",
            author_agent=alice,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            conversation=carol_conversation,
            direction=Direction.INBOUND,
            visibility=Visibility.INTERNAL,
            channel_kind=ChannelKind.EMAIL,
            body_text="x",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            conversation=carol_conversation,
            direction=Direction.OUTBOUND,
            visibility=Visibility.PUBLIC,
            channel_kind=ChannelKind.EMAIL,
            body_text="x",
            author_agent=alice,
            author_customer=carol,
        )
    assert carol_conversation.messages.count() == 0


def test_html_body_is_sanitised_on_store(carol: Customer, carol_conversation: Conversation) -> None:
    message = add_message(
        None,
        carol_conversation,
        direction=Direction.INBOUND,
        visibility=Visibility.PUBLIC,
        channel_kind=ChannelKind.EMAIL,
        body_text="Hallo",
        body_html='<p>Hallo<script>alert(1)</script><a href="javascript:x()">klick</a></p>',
        author_customer=carol,
    )
    assert message.body_html == '<p>Hallo<a rel="noopener noreferrer nofollow">klick</a></p>'


def test_counters_follow_messages(
    alice: Agent,
    carol: Customer,
    carol_conversation: Conversation,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    # Huey runs in immediate mode here; the real worker is exercised in tests/core/test_worker.py
    with django_capture_on_commit_callbacks(execute=True):
        first = inbound(carol_conversation, carol, "<c1@mail.example.com>")
    with django_capture_on_commit_callbacks(execute=True):
        reply = add_message(
            alice.user,
            carol_conversation,
            direction=Direction.OUTBOUND,
            visibility=Visibility.PUBLIC,
            channel_kind=ChannelKind.EMAIL,
            body_text="Wir erstatten Ihnen den Fahrpreis.",
            author_agent=alice,
        )
    with django_capture_on_commit_callbacks(execute=True):
        add_message(
            alice.user,
            carol_conversation,
            direction=Direction.OUTBOUND,
            visibility=Visibility.INTERNAL,
            channel_kind=ChannelKind.EMAIL,
            body_text="Kulanz genehmigt",
            author_agent=alice,
        )
    carol_conversation.refresh_from_db()
    assert (
        carol_conversation.message_count,
        carol_conversation.inbound_count,
        carol_conversation.outbound_count,
        carol_conversation.note_count,
    ) == (3, 1, 1, 1)
    assert carol_conversation.first_response_at == reply.created_at
    assert carol_conversation.last_message_at == reply.created_at
    assert first.received_at is not None


def test_status_changes_record_their_time(carol_conversation: Conversation) -> None:
    set_status(None, carol_conversation, status=Status.SOLVED)
    carol_conversation.refresh_from_db()
    assert carol_conversation.status == Status.SOLVED
    assert carol_conversation.solved_at is not None
    with pytest.raises(Invalid, match="unknown status 'done'"):
        set_status(None, carol_conversation, status="done")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def message(carol: Customer, carol_conversation: Conversation) -> Message:
    return inbound(carol_conversation, carol, "<att@mail.example.com>")


def test_attachment_is_stored_with_size_and_hash(message: Message) -> None:
    content = png_bytes()
    attachment = attach_file(
        None,
        message,
        filename="../../etc/screenshot.png",
        content=content,
        content_type="image/png",
    )
    assert attachment.filename == "screenshot.png"
    assert attachment.size == len(content)
    assert attachment.file.read() == content
    assert "etc" not in str(attachment.file.name)


@override_settings(MAX_ATTACHMENT_BYTES=2048)
def test_oversized_attachment_is_refused(message: Message) -> None:
    with pytest.raises(Invalid, match="at most 2048 are allowed"):
        attach_file(
            None, message, filename="big.txt", content=b"a" * 2049, content_type="text/plain"
        )
    assert Attachment.objects.count() == 0


@pytest.mark.parametrize(
    ("filename", "content", "content_type", "error"),
    [
        ("x.exe", b"MZ\x90\x00" + b"\x00" * 60, "application/x-msdownload", "are accepted"),
        (
            "fake.png",
            b"<html><script>alert(1)</script></html>",
            "image/png",
            "content is not image/png",
        ),
        ("fake.pdf", png_bytes(), "application/pdf", "content is not application/pdf"),
        ("empty.txt", b"", "text/plain", "The file is empty"),
    ],
)
def test_wrong_or_dangerous_types_are_refused(
    message: Message, filename: str, content: bytes, content_type: str, error: str
) -> None:
    with pytest.raises(Invalid, match=error):
        attach_file(None, message, filename=filename, content=content, content_type=content_type)
    assert Attachment.objects.count() == 0
