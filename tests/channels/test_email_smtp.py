"""E-mail out: replies reach a real local SMTP server (aiosmtpd) with correct threading headers."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks as CaptureCallbacks

from schwarmdesk.channels.actions import configure_channel, deliver_due, reply, retry_delivery
from schwarmdesk.channels.adapters.email import map_smtp_error
from schwarmdesk.channels.mailbox import import_mail
from schwarmdesk.channels.models import Channel, Delivery, DeliveryStatus, EventStatus, InboundEvent
from schwarmdesk.conversations.models import Attachment, Conversation, Message, Visibility
from schwarmdesk.core.errors import Invalid, NotFound
from schwarmdesk.people.models import Agent, ChannelIdentity
from tests.channels.conftest import FIXTURES, OPTIONS, SECRETS, fixture_bytes
from tests.channels.mail_servers import SmtpServer, free_port


def mail_channel(smtp_port: int, **options: str) -> Channel:
    return configure_channel(
        None,
        kind="email",
        name="Support mailbox",
        secrets=SECRETS["email"],
        options=OPTIONS["email"] | {"smtp_port": str(smtp_port), **options},
    )


def receive(channel: Channel, name: str) -> Message:
    result = import_mail(None, channel_id=channel.pk, raw=fixture_bytes("email", name))
    [message] = result.messages
    return message


def send(agent: Agent, message: Message, capture: CaptureCallbacks, **kwargs: str) -> Message:
    with capture(execute=True):
        return reply(
            agent,
            message.conversation_id,
            body=kwargs.get("body", "Ihr Geld kommt in fünf Tagen."),
            visibility=kwargs.get("visibility", Visibility.PRIVATE),
        )


def test_a_reply_reaches_the_smtp_server_with_threading_headers(
    smtp_server: SmtpServer, alice: Agent, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    channel = mail_channel(smtp_server.port)
    inbound = receive(channel, "plain.eml")
    conversation = inbound.conversation

    sent = send(alice, inbound, django_capture_on_commit_callbacks)

    [mail] = smtp_server.mails
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    own_id = f"schwarmdesk.schwarmdesk-delivery-{delivery.pk}@example.com"
    headers = mail.message
    assert headers["Message-ID"] == f"<{own_id}>"
    assert headers["In-Reply-To"] == "<20261123091234.4711@mail.example.com>"
    assert headers["References"] == "<20261123091234.4711@mail.example.com>"
    assert headers["Subject"] == f"Re: Mein Zug RE 7 ist ausgefallen [{conversation.reference}]"
    assert headers["X-Loop"] == "schwarmdesk support@example.com"
    assert headers["From"] == "Nordlicht Support <support@example.com>"
    assert headers["To"] == "Carol Clausen <carol@example.com>"
    assert headers["Content-Language"] == "de"
    assert (
        headers.get_content().replace("\r\n", "\n")
        == "Ihr Geld kommt in fünf Tagen.\n\n-- \nAlice Albers\n"
    )
    assert (mail.mail_from, mail.rcpt_tos) == ("support@example.com", ["carol@example.com"])
    assert smtp_server.logins == ["support@example.com"]
    sent.refresh_from_db()
    assert (sent.external_id, sent.channel_kind) == (own_id, "email")
    assert delivery.provider_id == own_id


def test_the_customers_answer_threads_into_the_case_and_the_next_reply_keeps_the_chain(
    smtp_server: SmtpServer, alice: Agent, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    channel = mail_channel(smtp_server.port)
    inbound = receive(channel, "plain.eml")
    send(alice, inbound, django_capture_on_commit_callbacks, body="Ihre Buchungsnummer?")
    our_id = smtp_server.mails[0].message["Message-ID"]
    answer = (
        "From: Carol Clausen <carol@example.com>\nTo: support@example.com\n"
        "Subject: Re: Mein Zug RE 7 ist ausgefallen\nMessage-ID: <answer-1@mail.example.com>\n"
        f"In-Reply-To: {our_id}\nReferences: <20261123091234.4711@mail.example.com> {our_id}\n"
        "Date: Mon, 23 Nov 2026 12:00:00 +0100\n\nABC123\n"
    ).encode()

    [second] = import_mail(None, channel_id=channel.pk, raw=answer).messages
    send(alice, second, django_capture_on_commit_callbacks, body="Danke, erledigt.")

    assert second.conversation_id == inbound.conversation_id
    assert Conversation.objects.count() == 1
    last = smtp_server.mails[1].message
    assert last["In-Reply-To"] == "<answer-1@mail.example.com>"
    assert last["References"] == (
        f"<20261123091234.4711@mail.example.com> {our_id} <answer-1@mail.example.com>"
    )


def test_a_case_number_in_the_subject_threads_only_into_the_senders_own_case(
    smtp_server: SmtpServer, db: None
) -> None:
    channel = mail_channel(smtp_server.port)
    carols = receive(channel, "plain.eml").conversation
    subject = f"Subject: Nachtrag {carols.reference}\n"
    raw = b"From: carol@example.com\nMessage-ID: <n1@example.com>\n" + subject.encode() + b"\nX\n"
    other = b"From: dave@example.com\nMessage-ID: <n2@example.com>\n" + subject.encode() + b"\nY\n"

    [follow_up] = import_mail(None, channel_id=channel.pk, raw=raw).messages
    [stranger] = import_mail(None, channel_id=channel.pk, raw=other).messages

    assert follow_up.conversation_id == carols.pk
    assert stranger.conversation_id != carols.pk
    assert stranger.conversation.subject == f"Nachtrag {carols.reference}"


def test_an_internal_note_is_never_sent_by_email(
    smtp_server: SmtpServer, alice: Agent, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    channel = mail_channel(smtp_server.port)
    inbound = receive(channel, "plain.eml")

    note = send(
        alice,
        inbound,
        django_capture_on_commit_callbacks,
        body="Kundin ist VIP, bitte kulant sein.",
        visibility=Visibility.INTERNAL,
    )
    deliver_due(timezone.now() + timedelta(days=1))

    assert note.visibility == Visibility.INTERNAL
    assert Delivery.objects.count() == 0
    assert smtp_server.mails == []


def test_our_own_reply_coming_back_is_kept_but_never_answered(
    smtp_server: SmtpServer, alice: Agent, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    channel = mail_channel(smtp_server.port)
    send(alice, receive(channel, "plain.eml"), django_capture_on_commit_callbacks)

    result = import_mail(None, channel_id=channel.pk, raw=smtp_server.mails[0].raw)

    assert result.messages == ()
    assert result.event is not None
    assert (result.event.status, result.event.error) == ("ignored", "sent from our own address")
    assert Message.objects.count() == 2


@pytest.mark.parametrize(
    ("refusal", "status", "error"),
    [
        ("451 4.3.0 Mailbox busy, try later", "pending", "recipient refused for now (SMTP 451)"),
        ("550 5.1.1 No such user", "failed", "recipient refused (SMTP 550)"),
    ],
)
def test_4xx_is_transient_and_5xx_is_permanent(
    *,
    smtp_server: SmtpServer,
    alice: Agent,
    django_capture_on_commit_callbacks: CaptureCallbacks,
    refusal: str,
    status: str,
    error: str,
) -> None:
    channel = mail_channel(smtp_server.port)
    smtp_server.refuse(refusal)

    send(alice, receive(channel, "plain.eml"), django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (status, 1, error)
    assert smtp_server.mails == []
    if status == "pending":
        deliver_due(timezone.now() + timedelta(hours=1))
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
        assert len(smtp_server.mails) == 1


def test_a_wrong_password_is_permanent_and_a_closed_port_is_transient(
    smtp_server: SmtpServer, alice: Agent, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    channel = mail_channel(smtp_server.port)
    Channel.objects.filter(pk=channel.pk).update(secrets={"smtp_password": "wrong"})
    send(alice, receive(channel, "plain.eml"), django_capture_on_commit_callbacks)
    first = Delivery.objects.get()
    assert (first.status, first.last_error) == ("failed", "SMTP login refused (535)")

    closed = mail_channel(free_port())
    send(alice, receive(closed, "html_only.eml"), django_capture_on_commit_callbacks)
    second = Delivery.objects.exclude(pk=first.pk).get()
    assert (second.status, second.last_error) == (
        "pending",
        "SMTP connection failed (ConnectionRefusedError)",
    )


def test_smtp_errors_map_to_transient_or_permanent() -> None:
    assert map_smtp_error(smtplib.SMTPDataError(452, b"full")).reason == "SMTP 452 SMTPDataError"
    assert type(map_smtp_error(smtplib.SMTPDataError(554, b"spam"))).__name__ == (
        "PermanentSendError"
    )
    assert map_smtp_error(smtplib.SMTPServerDisconnected()).reason == (
        "SMTP connection failed (SMTPServerDisconnected)"
    )
    assert map_smtp_error(smtplib.SMTPRecipientsRefused({})).reason == (
        "recipient refused (SMTP ?)"
    )


def test_attachments_are_stored_and_html_kept_sanitised(smtp_server: SmtpServer, db: None) -> None:
    channel = mail_channel(smtp_server.port)

    with_file = receive(channel, "alternative_with_attachment.eml")
    html = receive(channel, "html_only.eml")

    [attachment] = Attachment.objects.filter(message=with_file)
    assert (attachment.filename, attachment.content_type) == ("receipt.pdf", "application/pdf")
    assert with_file.body_html == "<p>Here is the <strong>receipt</strong> for my ticket.</p>"
    assert "<script>" not in html.body_html
    assert html.body_text.startswith("Hello,\n\nmy invoice INV-2026-11")
    assert html.conversation.subject == "Invoice question"


def test_a_refused_attachment_does_not_lose_the_mail(smtp_server: SmtpServer, db: None) -> None:
    channel = mail_channel(smtp_server.port)
    raw = (
        b"From: carol@example.com\nMessage-ID: <exe@example.com>\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\nSee attached.\n--b\n"
        b"Content-Type: application/x-msdownload\n"
        b"Content-Disposition: attachment; filename=run.exe\n"
        b"Content-Transfer-Encoding: base64\n\nTVqQAAMAAAAEAAAA\n--b--\n"
    )

    [message] = import_mail(None, channel_id=channel.pk, raw=raw).messages

    assert message.body_text == "See attached."
    assert Attachment.objects.count() == 0


def test_the_sender_becomes_an_unverified_email_identity(smtp_server: SmtpServer, db: None) -> None:
    channel = mail_channel(smtp_server.port)

    receive(channel, "plain.eml")

    identity = ChannelIdentity.objects.get()
    assert (identity.kind, identity.external_id, identity.is_verified) == (
        "email",
        "carol@example.com",
        False,
    )


def test_importing_needs_an_email_channel_and_a_sane_size(
    smtp_server: SmtpServer, settings: object, db: None
) -> None:
    with pytest.raises(NotFound):
        import_mail(None, channel_id=999, raw=b"From: a@example.com\n\nhi\n")
    channel = mail_channel(smtp_server.port)
    settings.MAX_ATTACHMENT_BYTES = 10  # type: ignore[attr-defined]
    with pytest.raises(Invalid, match="too large"):
        import_mail(None, channel_id=channel.pk, raw=b"x" * 31)


def test_the_import_mail_command_reports_each_file(
    smtp_server: SmtpServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], db: None
) -> None:
    channel = mail_channel(smtp_server.port)
    broken = tmp_path / "broken.eml"
    broken.write_bytes(b"Subject: no sender\n\nhi\n")
    plain = FIXTURES / "email" / "plain.eml"
    auto = FIXTURES / "email" / "ignored_auto_reply.eml"

    call_command("import_mail", str(plain), str(auto), str(plain))
    with pytest.raises(CommandError, match="1 of 1 files could not be imported"):
        call_command("import_mail", str(broken), "--channel", str(channel.pk))

    out, err = capsys.readouterr()
    message = Message.objects.get()
    assert out.splitlines() == [
        f"{plain}: stored as message {message.pk}",
        f"{auto}: not answered: automatic reply (Auto-Submitted: auto-replied)",
        f"{plain}: already imported",
    ]
    assert err.strip() == f"{broken}: the mail has no From address"
    assert InboundEvent.objects.filter(status=EventStatus.MALFORMED).count() == 1


def test_the_import_mail_command_needs_a_channel_when_there_are_several(
    smtp_server: SmtpServer, db: None
) -> None:
    mail_channel(smtp_server.port)
    mail_channel(smtp_server.port)
    with pytest.raises(CommandError, match="2 e-mail channels"):
        call_command("import_mail", str(FIXTURES / "email" / "plain.eml"))


def test_a_bounced_reply_fails_with_the_servers_reason_and_can_be_retried(
    smtp_server: SmtpServer, alice: Agent, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    channel = mail_channel(smtp_server.port)
    send(alice, receive(channel, "plain.eml"), django_capture_on_commit_callbacks)
    returned = smtp_server.mails[0].raw.decode().replace("\r\n", "\n")
    bounce = (
        "From: MAILER-DAEMON@mx.example.com\nTo: support@example.com\n"
        "Subject: Undelivered Mail Returned to Sender\nMessage-ID: <b1@mx.example.com>\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\n\n'
        "--r\nContent-Type: text/plain\n\nSorry.\n"
        "--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.com\n\n"
        "Final-Recipient: rfc822; carol@example.com\nAction: failed\nStatus: 5.2.2\n"
        "Diagnostic-Code: smtp; 552 5.2.2 Mailbox full\n\n"
        f"--r\nContent-Type: message/rfc822\n\n{returned}\n--r--\n"
    ).encode()

    result = import_mail(None, channel_id=channel.pk, raw=bounce)

    assert result.messages == ()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_error) == (
        "failed",
        "bounced: smtp; 552 5.2.2 Mailbox full",
    )
    assert Message.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        retry_delivery(alice, delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, len(smtp_server.mails)) == ("sent", 2)
