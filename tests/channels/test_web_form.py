"""The web form channel: fixtures, the embeddable page, honeypot, rate limit, e-mail both ways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks as CaptureCallbacks

from schwarmdesk.channels.actions import configure_channel, reply
from schwarmdesk.channels.adapters.base import (
    ChannelConfig,
    InboundAttachment,
    InboundMessage,
    InboundRequest,
    ParseError,
    Sender,
)
from schwarmdesk.channels.adapters.web_form import WebForm
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.channels.mailbox import import_mail
from schwarmdesk.channels.models import (
    Channel,
    ChannelFailure,
    Delivery,
    FormSubmission,
    InboundEvent,
)
from schwarmdesk.channels.web_form import prune_submissions, send_confirmation
from schwarmdesk.conversations.models import Attachment, Conversation, Message, Visibility
from schwarmdesk.people.models import Agent, ChannelIdentity, Customer
from tests.channels.conftest import FIXTURES, OPTIONS, SECRETS, fixture_bytes
from tests.channels.mail_servers import free_port

SUBMISSION_ID = "4b0f6c1e9a2d4c7f8e3b5a6d7c8e9f01"
EXPECTED: dict[str, list[InboundMessage]] = {
    "submission.json": [
        InboundMessage(
            kind=ChannelKind.WEB_FORM,
            external_id=f"form-{SUBMISSION_ID}@example.com",
            sender=Sender(
                "carol@example.com",
                "carol@example.com",
                "Carol Clausen",
                "de",
                is_verified=False,
                identity_kind=ChannelKind.EMAIL,
            ),
            text="Guten Tag,\nmeine Rechnung INV-2026-11 wurde zweimal abgebucht.",
            sent_at=datetime(2026, 11, 23, 10, 15, tzinfo=UTC),
            is_public=False,
            thread_key=f"form:{SUBMISSION_ID}",
            reply_context={
                "address": "carol@example.com",
                "name": "Carol Clausen",
                "message_id": f"<form-{SUBMISSION_ID}@example.com>",
                "references": f"<form-{SUBMISSION_ID}@example.com>",
                "subject": "Rechnung doppelt abgebucht",
                "language": "de",
            },
            subject="Rechnung doppelt abgebucht",
            attachments=(
                InboundAttachment(
                    "kontoauszug.txt", "text/plain", b"23.11.2026 -49,90 EUR Nordlicht Mobil\n"
                ),
            ),
        )
    ],
    "ignored_blank_message.json": [],
}


def adapter() -> WebForm:
    return WebForm(ChannelConfig(channel_id=1, api_base_url="", options=OPTIONS["web_form"]))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_parses_to_exactly(name: str) -> None:
    request = InboundRequest("POST", fixture_bytes("web_form", name), {})
    assert list(adapter().parse(request)) == EXPECTED[name]


def test_every_fixture_is_checked() -> None:
    assert {path.name for path in (FIXTURES / "web_form").iterdir()} == set(EXPECTED)


@pytest.mark.parametrize(
    "body",
    [
        b'{"submission_id": "1", "email": "nobody", "submitted_at": "2026-11-23T10:00:00+00:00"}',
        b'{"submission_id": "1", "email": "a@example.com", "submitted_at": "today"}',
        b'{"submission_id": "1", "email": "a@example.com", "submitted_at": "2026-11-23T10:00:00"}',
        (
            b'{"submission_id": "1", "email": "a@example.com", "name": "A", "message": "m",'
            b'"submitted_at": "2026-11-23T10:00:00+00:00", "attachments": [{"filename": "a",'
            b'"content_type": "text/plain", "content_base64": "***"}]}'
        ),
    ],
    ids=["bad-address", "bad-date", "naive-date", "bad-base64"],
)
def test_malformed_submissions_raise_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError):
        list(adapter().parse(InboundRequest("POST", body, {})))


@pytest.fixture
def form_channel(db: None) -> Channel:
    return configure_channel(
        None, kind="web_form", name="Kontakt", secrets={}, options=OPTIONS["web_form"]
    )


def form_url(channel: Channel, language: str = "de") -> str:
    return f"/channels/form/{channel.pk}/?lang={language}"


FORM = {
    "name": "Carol Clausen",
    "email": "Carol@Example.com",
    "subject": "Rechnung doppelt abgebucht",
    "message": "Meine Rechnung wurde zweimal abgebucht.",
    "website": "",
}


def post_form(
    client: Client,
    channel: Channel,
    capture: CaptureCallbacks,
    *,
    language: str = "de",
    address: str = "198.51.100.7",
    **fields: object,
) -> int:
    with capture(execute=True):
        response = client.post(form_url(channel, language), {**FORM, **fields}, REMOTE_ADDR=address)
    return response.status_code


def test_the_form_page_is_embeddable_and_hides_the_honeypot(
    client: Client, form_channel: Channel
) -> None:
    response = client.get(form_url(form_channel, "en"))

    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    html = response.content.decode()
    assert '<html lang="en">' in html
    for name in ("name", "email", "subject", "message", "attachment"):
        assert f'name="{name}"' in html
    assert '<div class="hp" aria-hidden="true">' in html
    assert 'name="website"' in html
    assert 'enctype="multipart/form-data"' in html


def test_a_submission_opens_a_case_and_confirms_it_by_email_in_german(
    client: Client, form_channel: Channel, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    upload = SimpleUploadedFile("kontoauszug.txt", b"-49,90 EUR\n", content_type="text/plain")

    status = post_form(client, form_channel, django_capture_on_commit_callbacks, attachment=upload)

    assert status == 200
    message = Message.objects.get()
    conversation = message.conversation
    assert (message.channel_kind, message.body_text) == (
        "web_form",
        "Meine Rechnung wurde zweimal abgebucht.",
    )
    assert (conversation.origin_channel, conversation.subject) == (
        "web_form",
        "Rechnung doppelt abgebucht",
    )
    identity = ChannelIdentity.objects.get()
    assert (identity.kind, identity.external_id, identity.is_verified) == (
        "email",
        "carol@example.com",
        False,
    )
    assert Attachment.objects.get().filename == "kontoauszug.txt"
    assert InboundEvent.objects.get().status == "processed"
    [confirmation] = mail.outbox
    assert confirmation.to == ["carol@example.com"]
    assert confirmation.subject == (
        f"Wir haben Ihre Anfrage erhalten [{conversation.reference}]: Rechnung doppelt abgebucht"
    )
    assert f"als Fall {conversation.reference}" in confirmation.body
    assert "Meine Rechnung wurde zweimal abgebucht." in confirmation.body
    headers = confirmation.extra_headers
    assert headers["Message-ID"] == message.route.reply_context["message_id"]
    assert headers["Auto-Submitted"] == "auto-replied"
    assert headers["X-Loop"] == "schwarmdesk support@example.com"
    assert confirmation.from_email == "Nordlicht Support <support@example.com>"


def test_the_confirmation_is_english_for_an_english_form(
    client: Client, form_channel: Channel, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    post_form(client, form_channel, django_capture_on_commit_callbacks, language="en")

    reference = Conversation.objects.get().reference
    [confirmation] = mail.outbox
    assert confirmation.subject == (
        f"We have received your request [{reference}]: Rechnung doppelt abgebucht"
    )
    assert f"as case {reference}" in confirmation.body


def test_a_filled_honeypot_is_thanked_and_dropped_silently(
    client: Client, form_channel: Channel, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            form_url(form_channel), {**FORM, "website": "https://spam.example.net"}
        )

    assert response.status_code == 200
    assert "Vielen Dank" in response.content.decode()
    assert (Message.objects.count(), InboundEvent.objects.count()) == (0, 0)
    assert (Customer.objects.count(), FormSubmission.objects.count()) == (0, 0)
    assert mail.outbox == []


def test_the_rate_limit_counts_per_address_and_forgets_after_an_hour(
    client: Client, form_channel: Channel, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=UTC), tick=False):
        statuses = [post_form(client, form_channel, capture) for _ in range(6)]
        other = post_form(client, form_channel, capture, address="203.0.113.9")
    with time_machine.travel(datetime(2026, 11, 23, 11, 1, tzinfo=UTC), tick=False):
        later = post_form(client, form_channel, capture)

    assert statuses == [200, 200, 200, 200, 200, 429]
    assert (other, later) == (200, 200)
    assert Message.objects.count() == 7
    assert len(mail.outbox) == 7
    assert "198.51.100.7" not in set(FormSubmission.objects.values_list("client_hash", flat=True))


def test_a_rate_limited_post_says_so(
    client: Client, form_channel: Channel, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    Channel.objects.filter(pk=form_channel.pk).update(options={"max_per_hour": "0"})
    response = client.post(form_url(form_channel, "en"), FORM, REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 429
    assert "several messages in a short time" in response.content.decode()
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": ""}, "email"),
        ({"name": ""}, "name"),
        ({"message": "   "}, "message"),
        ({"subject": ""}, "subject"),
    ],
)
def test_validation_errors_store_nothing(
    client: Client, form_channel: Channel, fields: dict[str, str], field: str
) -> None:
    response = client.post(form_url(form_channel, "en"), {**FORM, **fields})

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "Please correct the marked fields." in response.content.decode()
    assert (Message.objects.count(), FormSubmission.objects.count()) == (0, 0)


def test_a_too_large_attachment_is_refused(
    client: Client, form_channel: Channel, settings: object
) -> None:
    settings.MAX_ATTACHMENT_BYTES = 4  # type: ignore[attr-defined]
    upload = SimpleUploadedFile("a.txt", b"12345", content_type="text/plain")

    response = client.post(form_url(form_channel, "en"), {**FORM, "attachment": upload})

    assert response.status_code == 400
    assert "attachment" in response.context["form"].errors
    assert "The file is too large." in response.content.decode()


def test_unknown_disabled_or_other_channels_have_no_form(
    client: Client, form_channel: Channel
) -> None:
    mastodon = configure_channel(None, kind="mastodon", name="M", secrets={})
    Channel.objects.filter(pk=form_channel.pk).update(is_enabled=False)

    for channel_id in (form_channel.pk, mastodon.pk, 999):
        assert client.get(f"/channels/form/{channel_id}/").status_code == 404
    assert client.put(f"/channels/form/{form_channel.pk}/").status_code == 405


def test_an_agents_reply_goes_out_by_email_and_the_answer_threads_back(
    client: Client,
    form_channel: Channel,
    alice: Agent,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    capture = django_capture_on_commit_callbacks
    post_form(client, form_channel, capture)
    inbound = Message.objects.get()
    conversation = inbound.conversation
    confirmation_id = inbound.route.reply_context["message_id"]

    with capture(execute=True):
        sent = reply(alice, conversation.pk, body="Wir erstatten.", visibility=Visibility.PRIVATE)

    _confirmation, answer = mail.outbox
    delivery = Delivery.objects.get()
    assert delivery.status == "sent"
    assert answer.to == ["Carol Clausen <carol@example.com>"]
    assert answer.subject == f"Re: Rechnung doppelt abgebucht [{conversation.reference}]"
    assert answer.extra_headers["In-Reply-To"] == confirmation_id
    assert answer.extra_headers["References"] == confirmation_id
    assert answer.body == "Wir erstatten.\n\n-- \nAlice Albers\n"
    email_channel = configure_channel(
        None, kind="email", name="Mail", secrets=SECRETS["email"], options=OPTIONS["email"]
    )
    sent.refresh_from_db()
    raw = (
        "From: Carol <carol@example.com>\nSubject: Re: Rechnung\n"
        f"Message-ID: <carol-answer@example.com>\nIn-Reply-To: <{sent.external_id}>\n"
        f"References: {confirmation_id} <{sent.external_id}>\n\nDanke!\n"
    ).encode()

    [answer_in] = import_mail(None, channel_id=email_channel.pk, raw=raw).messages

    assert answer_in.conversation_id == conversation.pk
    assert Customer.objects.count() == 1


def test_a_failed_confirmation_is_recorded_on_the_channel(
    client: Client, form_channel: Channel, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    Channel.objects.filter(pk=form_channel.pk).update(
        options=OPTIONS["web_form"]
        | {"smtp_host": "127.0.0.1", "smtp_port": str(free_port()), "smtp_security": "none"}
    )

    assert post_form(client, form_channel, django_capture_on_commit_callbacks) == 200

    assert Message.objects.count() == 1
    assert ChannelFailure.objects.get().reason == (
        "form confirmation not sent: SMTP connection failed (ConnectionRefusedError)"
    )
    assert send_confirmation(999) is False


def test_old_rate_limit_rows_are_pruned(form_channel: Channel) -> None:
    FormSubmission.objects.create(channel=form_channel, client_hash="a")
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        FormSubmission.objects.create(channel=form_channel, client_hash="b")
        assert prune_submissions() == 1
    assert list(FormSubmission.objects.values_list("client_hash", flat=True)) == ["b"]


def test_the_admin_shows_the_embed_snippet(client: Client, form_channel: Channel) -> None:
    admin = User.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)

    page = client.get(f"/admin/schwarmdesk_channels/channel/{form_channel.pk}/change/")

    assert page.status_code == 200
    assert f"/channels/form/{form_channel.pk}/&quot; title=&quot;Contact&quot;" in (
        page.content.decode()
    )
    assert str(SECRETS["email"]["smtp_password"]) not in page.content.decode()
