"""E-mail in: a real local IMAP server (a throwaway dovecot) polled by UID, each mail once."""

from __future__ import annotations

import pytest

from schwarmdesk.channels import mailbox
from schwarmdesk.channels.actions import configure_channel, poll_channel
from schwarmdesk.channels.models import Channel, ChannelFailure, EventStatus, InboundEvent
from schwarmdesk.channels.tasks import poll_channels
from schwarmdesk.conversations.models import Conversation, Message
from tests.channels.conftest import OPTIONS, SECRETS, fixture_bytes
from tests.channels.mail_servers import IMAP_USER, ImapServer

FIXTURES = ("plain.eml", "ignored_auto_reply.eml", "umlaut_subject.eml")


def imap_channel(server: ImapServer, **options: str) -> Channel:
    return configure_channel(
        None,
        kind="email",
        name="Support mailbox",
        secrets=SECRETS["email"],
        options=OPTIONS["email"]
        | {"imap_port": str(server.port), "imap_user": IMAP_USER, **options},
    )


def append_fixtures(server: ImapServer, *names: str) -> None:
    for name in names:
        server.append(fixture_bytes("email", name))


def stored() -> list[str]:
    return list(Message.objects.order_by("pk").values_list("external_id", flat=True))


def test_new_mail_is_stored_once_across_two_polls_and_marked_seen(
    imap_server: ImapServer, db: None
) -> None:
    channel = imap_channel(imap_server)
    append_fixtures(imap_server, *FIXTURES)

    first = poll_channel(channel.pk)
    second = poll_channel(channel.pk)

    assert first is not None
    assert second is not None
    assert [message.external_id for message in first.messages] == [
        "20261123091234.4711@mail.example.com",
        "umlaut-0003@mail.example.com",
    ]
    assert second.messages == ()
    assert stored() == [message.external_id for message in first.messages]
    events = InboundEvent.objects.order_by("pk")
    assert [(event.status, event.error) for event in events] == [
        (EventStatus.PROCESSED, ""),
        (EventStatus.IGNORED, "automatic reply (Auto-Submitted: auto-replied)"),
        (EventStatus.PROCESSED, ""),
    ]
    assert [flags for _uid, flags in imap_server.list_mail()] == [b"\\Seen"] * 3
    channel.refresh_from_db()
    validity, _, last_uid = channel.poll_cursor.partition(":")
    assert validity.isdigit()
    assert last_uid == "3"
    assert Conversation.objects.count() == 2


def test_a_restart_of_the_server_and_of_our_worker_fetches_only_new_mail(
    imap_server: ImapServer, db: None
) -> None:
    channel = imap_channel(imap_server)
    append_fixtures(imap_server, "plain.eml")
    poll_channel(channel.pk)

    imap_server.restart()
    append_fixtures(imap_server, "umlaut_subject.eml")
    result = poll_channel(Channel.objects.get(pk=channel.pk).pk)  # a fresh worker reads the row

    assert result is not None
    assert [message.external_id for message in result.messages] == ["umlaut-0003@mail.example.com"]
    assert stored() == ["20261123091234.4711@mail.example.com", "umlaut-0003@mail.example.com"]


def test_a_lost_position_fetches_everything_again_but_stores_each_mail_once(
    imap_server: ImapServer, db: None
) -> None:
    channel = imap_channel(imap_server)
    append_fixtures(imap_server, *FIXTURES)
    poll_channel(channel.pk)
    # A crash after storing, before the position was saved (or a rebuilt folder).
    Channel.objects.filter(pk=channel.pk).update(poll_cursor="")

    again = poll_channel(channel.pk)

    assert again is not None
    assert again.messages == ()
    assert len(stored()) == 2
    assert InboundEvent.objects.count() == 3
    channel.refresh_from_db()
    assert channel.poll_cursor.endswith(":3")


def test_processed_mail_is_moved_when_a_folder_is_set(imap_server: ImapServer, db: None) -> None:
    imap_server.create_folder("Processed")
    channel = imap_channel(imap_server, imap_processed_folder="Processed")
    append_fixtures(imap_server, "plain.eml", "reply.eml")

    result = poll_channel(channel.pk)

    assert result is not None
    assert len(result.messages) == 2
    assert imap_server.list_mail("INBOX") == []
    assert [flags for _uid, flags in imap_server.list_mail("Processed")] == [b"\\Seen"] * 2


def test_the_periodic_task_polls_enabled_mail_channels(imap_server: ImapServer, db: None) -> None:
    channel = imap_channel(imap_server)
    disabled = imap_channel(imap_server)
    Channel.objects.filter(pk=disabled.pk).update(is_enabled=False)
    append_fixtures(imap_server, "plain.eml")

    assert poll_channels.call_local() == 1

    assert stored() == ["20261123091234.4711@mail.example.com"]
    assert Message.objects.get().route.channel_id == channel.pk


def test_a_refused_login_is_recorded_and_keeps_the_position(
    imap_server: ImapServer, db: None
) -> None:
    channel = imap_channel(imap_server)
    Channel.objects.filter(pk=channel.pk).update(secrets={"imap_password": "wrong"})
    append_fixtures(imap_server, "plain.eml")

    assert poll_channel(channel.pk) is None

    assert ChannelFailure.objects.get().reason == "poll failed: IMAP login refused"
    channel.refresh_from_db()
    assert channel.poll_cursor == ""
    assert Message.objects.count() == 0
    assert [flags for _uid, flags in imap_server.list_mail()] == [b""]


def test_a_malformed_mail_is_kept_and_the_next_one_still_arrives(
    imap_server: ImapServer, db: None
) -> None:
    channel = imap_channel(imap_server)
    imap_server.append(b"Subject: no sender at all\n\nhello\n")
    append_fixtures(imap_server, "plain.eml")

    result = poll_channel(channel.pk)

    assert result is not None
    assert stored() == ["20261123091234.4711@mail.example.com"]
    malformed = InboundEvent.objects.get(status=EventStatus.MALFORMED)
    assert malformed.error == "the mail has no From address"
    assert ChannelFailure.objects.get().reason == "malformed event: the mail has no From address"


def test_unreachable_or_misconfigured_mailboxes_are_recorded(db: None) -> None:
    closed = configure_channel(
        None, kind="email", name="Closed", secrets=SECRETS["email"], options=OPTIONS["email"]
    )
    odd = configure_channel(
        None,
        kind="email",
        name="Odd",
        secrets=SECRETS["email"],
        options=OPTIONS["email"] | {"imap_security": "carrier-pigeon"},
    )
    bare = configure_channel(None, kind="email", name="Bare", secrets={})

    for channel in (closed, odd, bare):
        assert poll_channel(channel.pk) is None

    assert sorted(ChannelFailure.objects.values_list("reason", flat=True)) == [
        "poll failed: IMAP connection failed (ConnectionRefusedError)",
        "poll failed: imap_security must be ssl, starttls or none, not 'carrier-pigeon'",
        "poll failed: no imap_host or imap_password configured",
    ]


def test_a_full_mailbox_is_read_in_batches(
    imap_server: ImapServer, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mailbox, "POLL_BATCH", 2)
    channel = imap_channel(imap_server)
    append_fixtures(imap_server, *FIXTURES)

    first = poll_channel(channel.pk)
    second = poll_channel(channel.pk)

    assert first is not None
    assert second is not None
    assert (len(first.messages), len(second.messages)) == (1, 1)
    assert InboundEvent.objects.count() == 3
