"""Channel health: a warning (once, by e-mail too) before customers notice a channel stopped,
an all-clear when it works again; broken credentials warn at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks as CaptureCallbacks

from schwarmdesk.channels.actions import configure_channel, poll_channel, reply
from schwarmdesk.channels.health import (
    Problem,
    check_all_channels,
    check_channel,
    update_channel_health,
)
from schwarmdesk.channels.models import Channel, ChannelFailure, Delivery, HealthState
from schwarmdesk.channels.tasks import check_channel_health_periodically
from schwarmdesk.conversations.models import Message
from schwarmdesk.people.actions import create_agent
from schwarmdesk.people.models import Agent
from tests.channels.conftest import (
    OPTIONS,
    SECRETS,
    FakeApi,
    fixture_bytes,
    make_channel,
    post_webhook,
)
from tests.channels.mail_servers import IMAP_USER, ImapServer

START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def ada(db: None) -> Agent:
    """An administrator with an e-mail address, reading German."""
    return create_agent(
        None,
        username="ada",
        password="ada-password",
        display_name="Ada Admin",
        initials="AD",
        email="ada@example.com",
        languages=["de"],
        is_admin=True,
    )


@pytest.fixture
def telegram(db: None, fake_api: FakeApi) -> Channel:
    with time_machine.travel(START, tick=False):
        return make_channel("telegram", fake_api.url)


def codes(channel: Channel, at: datetime) -> list[str]:
    channel.refresh_from_db()
    return [problem.code for problem in check_channel(channel, now=at)]


def check(at: datetime, capture: CaptureCallbacks) -> int:
    with time_machine.travel(at, tick=False), capture(execute=True):
        return int(check_channel_health_periodically.call_local())


def test_a_silent_channel_warns_once_and_sends_an_all_clear_when_events_come_again(
    ada: Agent,
    telegram: Channel,
    client: Client,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    # given a Telegram channel that has received nothing for 23 hours: still working
    assert check(START + timedelta(hours=23), django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []

    # when 25 hours have passed without an event
    assert check(START + timedelta(hours=25), django_capture_on_commit_callbacks) == 1

    # then the channel is in warning and Ada got one German e-mail saying why
    telegram.refresh_from_db()
    assert telegram.health_state == HealthState.WARNING
    assert telegram.health_problems == [{"code": "silent", "value": "24"}]
    assert telegram.health_changed_at == START + timedelta(hours=25)
    [warning] = mail.outbox
    assert warning.to == ["ada@example.com"]
    assert warning.subject == "Kanalwarnung: Telegram: Test telegram"
    assert "Seit mehr als 24 Stunden kam kein Ereignis an." in warning.body
    assert f"/admin/schwarmdesk_channels/channel/{telegram.pk}/change/" in warning.body

    # when the next checks still find it silent, nobody gets a second e-mail
    assert check(START + timedelta(hours=26), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1

    # when an event arrives and the check runs again
    with time_machine.travel(START + timedelta(hours=27), tick=False):
        body = fixture_bytes("telegram", "private_message.json")
        assert post_webhook(client, telegram, body).status_code == 200
    assert check(START + timedelta(hours=27, minutes=5), django_capture_on_commit_callbacks) == 1

    # then it is working again, with a short all-clear
    telegram.refresh_from_db()
    assert (telegram.health_state, telegram.health_problems) == (HealthState.OK, [])
    assert [message.subject for message in mail.outbox][1:] == [
        "Kanal funktioniert wieder: Telegram: Test telegram"
    ]


def test_the_expected_interval_is_an_option_one_hour_for_a_polled_mailbox(
    fake_api: FakeApi, db: None
) -> None:
    with time_machine.travel(START, tick=False):
        polled = configure_channel(
            None, kind="email", name="IMAP", secrets=SECRETS["email"], options=OPTIONS["email"]
        )
        uploaded = configure_channel(
            None,
            kind="email",
            name="upload only",
            secrets={},
            options=OPTIONS["email"] | {"imap_host": ""},
        )
        quiet = make_channel("mastodon", fake_api.url)
        quiet.options = {"expected_event_hours": "0"}
        quiet.save(update_fields=["options"])
        weekly = make_channel("facebook", fake_api.url)
        weekly.options = {"expected_event_hours": "168"}
        weekly.save(update_fields=["options"])
    later = START + timedelta(hours=2)
    assert codes(polled, later) == ["silent"]
    assert codes(uploaded, later) == []
    assert codes(uploaded, START + timedelta(hours=25)) == ["silent"]
    assert codes(quiet, START + timedelta(days=30)) == []
    assert codes(weekly, START + timedelta(days=6)) == []
    assert codes(weekly, START + timedelta(days=8)) == ["silent"]


def test_credentials_expiring_within_seven_days_warn_and_expired_ones_too(
    telegram: Channel,
) -> None:
    telegram.options = {"credentials_expire_at": "2026-11-30", "expected_event_hours": "0"}
    telegram.save(update_fields=["options"])
    assert codes(telegram, START - timedelta(days=1)) == []
    [problem] = check_channel(telegram, now=START)
    assert problem == Problem("credentials_expiring", "2026-11-30")
    assert codes(telegram, datetime(2026, 11, 30, 1, 0, tzinfo=UTC)) == ["credentials_expired"]
    telegram.options = {"credentials_expire_at": "2026-12-31T12:00:00+01:00"}
    telegram.save(update_fields=["options"])
    assert codes(telegram, START) == []


@pytest.mark.parametrize(
    ("failures", "successes", "expected"),
    [(3, 1, ["error_rate"]), (3, 5, []), (2, 0, []), (4, 4, [])],
)
def test_error_rate_above_the_threshold_in_the_last_hour(
    telegram: Channel, failures: int, successes: int, expected: list[str]
) -> None:
    telegram.options = {"expected_event_hours": "0"}
    telegram.save(update_fields=["options"])
    with time_machine.travel(START, tick=False):
        for number in range(failures):
            ChannelFailure.objects.create(
                channel=telegram, source="inbound", reason=f"bad {number}"
            )
        for number in range(successes):
            telegram.events.create(body=b"{}", body_sha256=f"{number:064d}", status="processed")
        # and old failures do not count
        with time_machine.travel(START - timedelta(hours=2), tick=False):
            for _old in range(5):
                ChannelFailure.objects.create(channel=telegram, source="inbound", reason="old")
    assert codes(telegram, START + timedelta(minutes=30)) == expected


def test_a_refused_token_warns_at_once_and_a_successful_send_clears_it(
    ada: Agent,
    telegram: Channel,
    client: Client,
    fake_api: FakeApi,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    # given Carol's Telegram message
    assert post_webhook(client, telegram, fixture_bytes("telegram", "private_message.json"))
    inbound = Message.objects.get()
    # when the platform refuses our bot token on the reply
    fake_api.fail(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    with django_capture_on_commit_callbacks(execute=True):
        reply(ada, inbound.conversation_id, body="Hallo", visibility="private")

    # then the channel is in warning right away, and Ada was told (not at the next check)
    telegram.refresh_from_db()
    assert Delivery.objects.get().status == "failed"
    assert [problem["code"] for problem in telegram.health_problems] == [
        "not_sending",
        "credentials_refused",
    ]
    [warning] = mail.outbox
    assert "Die Zugangsdaten wurden abgelehnt: HTTP 401: Unauthorized" in warning.body

    # when the token is fixed and the reply is retried, then the next check gives the all-clear
    from schwarmdesk.channels.actions import retry_delivery

    with django_capture_on_commit_callbacks(execute=True):
        retry_delivery(ada, Delivery.objects.get().pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert check_all_channels() == 1
    telegram.refresh_from_db()
    assert telegram.health_state == HealthState.OK
    assert len(mail.outbox) == 2


def test_a_transient_error_alone_is_not_a_credentials_warning(
    ada: Agent,
    telegram: Channel,
    client: Client,
    fake_api: FakeApi,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    assert post_webhook(client, telegram, fixture_bytes("telegram", "private_message.json"))
    fake_api.fail(503, {"ok": False})
    with django_capture_on_commit_callbacks(execute=True):
        reply(ada, Message.objects.get().conversation_id, body="Hallo", visibility="private")
    telegram.refresh_from_db()
    assert telegram.credentials_failed_at is None
    assert codes(telegram, datetime.now(tz=UTC)) == ["not_sending"]  # a retry is pending
    assert mail.outbox == []  # only the periodic check mails about that


def test_refused_webhook_signatures_warn_until_a_request_passes(
    telegram: Channel, client: Client
) -> None:
    telegram.options = {"expected_event_hours": "0"}
    telegram.save(update_fields=["options"])
    body = fixture_bytes("telegram", "private_message.json")
    wrong = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
    assert post_webhook(client, telegram, body, headers=wrong).status_code in (401, 403)
    assert ChannelFailure.objects.count() == 0  # a forged request stores no row
    assert codes(telegram, datetime.now(tz=UTC)) == ["not_verified"]
    assert post_webhook(client, telegram, body).status_code == 200
    telegram.refresh_from_db()
    assert telegram.last_verified_at is not None
    assert codes(telegram, datetime.now(tz=UTC)) == []


def test_admin_page_and_index_show_the_warning_and_english_admins_read_english(
    client: Client,
    telegram: Channel,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    admin = create_agent(
        None,
        username="root",
        password="root-password",
        display_name="Rita Root",
        initials="RR",
        email="rita@example.com",
        languages=["en"],
        is_admin=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        update_channel_health(telegram.pk, now=START + timedelta(days=2))
    [warning] = mail.outbox
    assert warning.subject == "Channel warning: Telegram: Test telegram"
    assert "No event received for more than 24 hours." in warning.body

    client.force_login(admin.user)
    index = client.get("/admin/", headers={"accept-language": "en"}).content.decode()
    assert "Channel warning: Telegram: Test telegram" in index
    assert "No event received for more than 24 hours." in index
    page = client.get(
        f"/admin/schwarmdesk_channels/channel/{telegram.pk}/change/",
        headers={"accept-language": "en"},
    ).content.decode()
    assert '<div class="errornote" role="status"><strong>warning</strong>' in page
    assert "No event received for more than 24 hours." in page


def test_a_disabled_channel_is_not_checked(ada: Agent, telegram: Channel) -> None:
    Channel.objects.filter(pk=telegram.pk).update(is_enabled=False)
    assert update_channel_health(telegram.pk, now=START + timedelta(days=3)) is None
    assert mail.outbox == []


def test_unreadable_options_fall_back_to_the_defaults(telegram: Channel) -> None:
    telegram.options = {"expected_event_hours": "soon", "credentials_expire_at": "next week"}
    telegram.save(update_fields=["options"])
    assert codes(telegram, START + timedelta(hours=23)) == []
    assert codes(telegram, START + timedelta(hours=25)) == ["silent"]


def test_a_refused_imap_login_warns_at_once(
    ada: Agent,
    imap_server: ImapServer,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    channel = configure_channel(
        None,
        kind="email",
        name="Support mailbox",
        secrets={"imap_password": "wrong", "smtp_password": "smtp-secret"},
        options=OPTIONS["email"] | {"imap_port": str(imap_server.port), "imap_user": IMAP_USER},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_channel(channel.pk) is None
    channel.refresh_from_db()
    assert channel.credentials_failed_at is not None
    assert [problem["code"] for problem in channel.health_problems] == ["credentials_refused"]
    [warning] = mail.outbox
    assert "Die Zugangsdaten wurden abgelehnt: poll failed: IMAP login refused" in warning.body
