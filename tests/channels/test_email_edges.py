"""E-mail edge cases: odd settings, odd headers, mailbox trouble in the middle of a poll."""

from __future__ import annotations

import ssl
from collections.abc import Sequence
from pathlib import Path

import pytest
from django.core.mail import EmailMessage as DjangoEmailMessage
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command

from schwarmdesk.channels.actions import Ingested, configure_channel, poll_channel, replay_event
from schwarmdesk.channels.adapters.base import (
    ChannelConfig,
    InboundRequest,
    OutboundMessage,
    ParseError,
    PermanentSendError,
    TransientSendError,
)
from schwarmdesk.channels.adapters.email import Email, _port, map_smtp_error
from schwarmdesk.channels.mailbox import import_mail
from schwarmdesk.channels.models import Channel, ChannelFailure, FormSubmission, InboundEvent
from schwarmdesk.channels.tasks import prune_form_submissions
from schwarmdesk.conversations.models import Message
from tests.channels.conftest import OPTIONS, SECRETS, fixture_bytes
from tests.channels.mail_servers import IMAP_USER, ImapServer, free_port

CONTEXT = {"address": "carol@example.com", "message_id": "<m1@example.com>", "subject": "Hi"}


def adapter(**options: str) -> Email:
    return Email(
        ChannelConfig(
            channel_id=1,
            api_base_url="",
            options=OPTIONS["email"] | options,
            secrets=SECRETS["email"],
        )
    )


def test_a_certificate_failure_is_permanent() -> None:
    error = map_smtp_error(ssl.SSLCertVerificationError("self-signed"))
    assert isinstance(error, PermanentSendError)
    assert error.reason == "the SMTP server's certificate is not trusted"


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"smtp_port": "smtp"}, "port 'smtp' is not a port number"),
        ({"smtp_port": "70000"}, "port '70000' is not a port number"),
        ({"smtp_security": "tls-ish"}, "smtp_security must be ssl, starttls or none"),
        ({"smtp_host": ""}, "no smtp_host or address configured"),
    ],
)
def test_bad_smtp_settings_are_permanent(options: dict[str, str], reason: str) -> None:
    out = OutboundMessage(text="Hallo", is_public=False, reply_context=CONTEXT)
    with pytest.raises(PermanentSendError, match=reason):
        adapter(**options).send(out)


def test_a_reply_needs_an_address_and_keeps_a_subject_that_has_re_and_the_reference() -> None:
    mail = adapter().compose(
        OutboundMessage(
            text="Hallo",
            is_public=False,
            reply_context={**CONTEXT, "subject": "AW: Zug [#SD-000007]"},
            conversation_reference="#SD-000007",
        )
    )
    assert mail.subject == "AW: Zug [#SD-000007]"
    assert "Content-Language" not in mail.extra_headers
    with pytest.raises(PermanentSendError, match="no reply address"):
        adapter().compose(OutboundMessage(text="x", is_public=False, reply_context={}))
    untitled = adapter().compose(
        OutboundMessage(
            text="x", is_public=False, reply_context={"address": "a@example.com"}, agent_name=""
        )
    )
    assert (untitled.subject, untitled.body) == ("", "x\n")
    assert "In-Reply-To" not in untitled.extra_headers


class AcceptsNothing(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[DjangoEmailMessage]) -> int:
        return 0


def test_a_server_that_accepts_nothing_is_transient() -> None:
    mail = adapter().compose(OutboundMessage(text="x", is_public=False, reply_context=CONTEXT))
    with pytest.raises(TransientSendError, match="accepted nothing"):
        adapter().deliver_mail(mail, AcceptsNothing())


def test_in_reply_to_outside_references_still_counts() -> None:
    raw = (
        b"From: carol@example.com\nMessage-ID: <c2@example.com>\n"
        b"In-Reply-To: <ours@example.com>\nReferences: <root@example.com>\n\nJa\n"
    )
    [message] = adapter().parse(InboundRequest("IMAP", raw, {}))
    assert message.references == ("root@example.com", "ours@example.com")
    assert message.reply_to_external_id == "ours@example.com"
    assert message.thread_key == "mail:root@example.com"


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_encrypted_imap_to_a_closed_port_is_recorded(security: str, db: None) -> None:
    channel = configure_channel(
        None,
        kind="email",
        name="Mail",
        secrets=SECRETS["email"],
        options=OPTIONS["email"] | {"imap_security": security, "imap_port": str(free_port())},
    )
    assert poll_channel(channel.pk) is None
    assert ChannelFailure.objects.get().reason == (
        "poll failed: IMAP connection failed (ConnectionRefusedError)"
    )


def imap_channel(server: ImapServer, **options: str) -> Channel:
    return configure_channel(
        None,
        kind="email",
        name="Mail",
        secrets=SECRETS["email"],
        options=OPTIONS["email"]
        | {"imap_port": str(server.port), "imap_user": IMAP_USER, **options},
    )


def test_starttls_against_a_server_without_tls_is_recorded(
    imap_server: ImapServer, db: None
) -> None:
    channel = imap_channel(imap_server, imap_security="starttls")
    assert poll_channel(channel.pk) is None
    assert ChannelFailure.objects.get().reason.startswith("poll failed: IMAP")


def test_a_missing_folder_is_recorded(imap_server: ImapServer, db: None) -> None:
    channel = imap_channel(imap_server, imap_folder="Nowhere")
    assert poll_channel(channel.pk) is None
    assert ChannelFailure.objects.get().reason == (
        "poll failed: IMAP refused (MailboxFolderSelectError)"
    )


def test_a_failing_move_stops_the_poll_but_the_mail_is_stored_once(
    imap_server: ImapServer, db: None
) -> None:
    channel = imap_channel(imap_server, imap_processed_folder="Missing")
    imap_server.append(fixture_bytes("email", "plain.eml"))

    assert poll_channel(channel.pk) is None
    assert poll_channel(channel.pk) is None

    assert Message.objects.count() == 1
    assert [
        reason.startswith("poll failed: IMAP")
        for reason in ChannelFailure.objects.values_list("reason", flat=True)
    ] == [True, True]
    channel.refresh_from_db()
    assert channel.poll_cursor == ""


def test_a_mail_too_large_to_store_is_left_in_the_mailbox(
    imap_server: ImapServer, settings: object, db: None
) -> None:
    settings.MAX_ATTACHMENT_BYTES = 100  # type: ignore[attr-defined]
    channel = imap_channel(imap_server)
    imap_server.append(fixture_bytes("email", "plain.eml"))

    result = poll_channel(channel.pk)

    assert result is not None
    assert result.messages == ()
    assert InboundEvent.objects.count() == 0
    assert ChannelFailure.objects.get().reason.startswith("mail UID 1 is too large")
    assert [flags for _uid, flags in imap_server.list_mail()] == [b""]
    channel.refresh_from_db()
    assert channel.poll_cursor.endswith(":1")


def test_the_import_command_says_when_a_mail_has_nothing_to_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], db: None
) -> None:
    configure_channel(None, kind="email", name="Mail", secrets={}, options=OPTIONS["email"])
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"From: carol@example.com\nSubject: nothing\n\n\n")

    call_command("import_mail", str(empty))

    assert capsys.readouterr().out.strip() == f"{empty}: nothing to store"


def test_rate_limit_rows_are_pruned_by_the_periodic_task(db: None) -> None:
    channel = configure_channel(None, kind="web_form", name="Form", secrets={})
    row = FormSubmission.objects.create(channel=channel, client_hash="x")

    assert prune_form_submissions.call_local() == 0
    assert str(row) == f"{channel.pk} {row.created_at:%Y-%m-%d %H:%M}"


def test_unparseable_headers_are_treated_as_missing() -> None:
    with pytest.raises(ParseError, match="no From address"):
        list(adapter().parse(InboundRequest("IMAP", b"From: carol@\n\nHallo\n", {})))
    raw = b"From: carol@example.com\nMessage-ID: <<>>\n\nHallo\n"
    [message] = adapter().parse(InboundRequest("IMAP", raw, {}))
    assert message.external_id.endswith("@missing-message-id")


def test_inline_parts_without_a_file_name_are_body_not_attachments() -> None:
    raw = (
        b'From: carol@example.com\nContent-Type: multipart/mixed; boundary="b"\n\n--b\n'
        b"Content-Type: text/plain\nContent-Disposition: inline\n\nErster Teil\n--b\n"
        b"Content-Type: text/plain\nContent-Disposition: inline\n\nZweiter Teil\n--b--\n"
    )
    [message] = adapter().parse(InboundRequest("IMAP", raw, {}))
    assert (message.text, message.attachments) == ("Erster Teil", ())


def test_ports_default_by_security() -> None:
    assert (_port("", 993), _port("1143", 993)) == (993, 1143)


def test_replaying_a_stored_mail_stores_nothing_new(db: None) -> None:
    channel = configure_channel(
        None, kind="email", name="Mail", secrets={}, options=OPTIONS["email"]
    )
    import_mail(None, channel_id=channel.pk, raw=fixture_bytes("email", "plain.eml"))
    import_mail(None, channel_id=channel.pk, raw=fixture_bytes("email", "ignored_loop.eml"))
    stored, ignored = InboundEvent.objects.order_by("pk")

    again = replay_event(None, stored.pk)
    still_ignored = replay_event(None, ignored.pk)

    assert [message.pk for message in again.messages] == [Message.objects.get().pk]
    assert still_ignored.messages == ()
    ignored.refresh_from_db()
    assert (ignored.status, ignored.error) == ("ignored", "mail loop (X-Loop is ours)")
    assert import_mail(None, channel_id=channel.pk, raw=fixture_bytes("email", "plain.eml")) == (
        Ingested(event=stored, messages=(), is_duplicate=True)
    )


def test_line_breaks_from_a_customers_subject_or_name_never_reach_our_headers() -> None:
    raw = (
        b"From: carol@example.com\nSubject: =?utf-8?q?Hallo=0ABcc=3A_evil=40example=2Ecom?=\n\nx\n"
    )
    [message] = adapter().parse(InboundRequest("IMAP", raw, {}))
    context = {**message.reply_context, "name": "Carol\nBcc: evil@example.com"}

    mail = adapter().compose(OutboundMessage(text="x", is_public=False, reply_context=context))

    assert message.subject == "Hallo Bcc: evil@example.com"
    assert mail.subject == "Re: Hallo Bcc: evil@example.com"
    assert mail.to == ['"Carol Bcc: evil@example.com" <carol@example.com>']
    headers = mail.message().as_string().split("\n\n")[0]
    assert "\nBcc:" not in headers


def test_a_header_django_refuses_is_permanent() -> None:
    mail = DjangoEmailMessage(subject="a\nb", body="x", to=["a@example.com"])
    locmem = get_connection("django.core.mail.backends.locmem.EmailBackend")
    with pytest.raises(PermanentSendError, match="broken header"):
        adapter().deliver_mail(mail, locmem)
