"""Channel admin: secrets are write-only, health is on the channel's page, replay and retry."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks as CaptureCallbacks

from schwarmdesk.channels.actions import reply
from schwarmdesk.channels.models import Channel, ChannelFailure, Delivery, InboundEvent
from schwarmdesk.conversations.models import Conversation
from schwarmdesk.people.actions import create_agent
from schwarmdesk.people.models import Agent
from tests.channels.conftest import SECRETS, FakeApi, fixture_bytes, post_webhook


@pytest.fixture
def admin_client(client: Client, db: None) -> Client:
    agent: Agent = create_agent(
        None,
        username="root",
        password="root-password",
        display_name="Rita Root",
        initials="RR",
        is_admin=True,
    )
    client.force_login(agent.user)
    return client


def test_the_change_page_shows_secret_names_and_health_but_never_secret_values(
    admin_client: Client, channels: dict[str, Channel]
) -> None:
    channel = channels["telegram"]
    ChannelFailure.objects.create(channel=channel, source="outbound", reason="HTTP 400: nope")

    page = admin_client.get(f"/admin/schwarmdesk_channels/channel/{channel.pk}/change/")

    html = page.content.decode()
    assert page.status_code == 200
    for value in SECRETS["telegram"].values():
        assert value not in html
    assert "bot_token ••••" in html
    assert "webhook_secret ••••" in html
    assert f"/channels/telegram/{channel.pk}/webhook/" in html
    assert "HTTP 400: nope" in html
    assert "Fehler in den letzten 24 Stunden:</strong> 1" in html  # German is the default


def form_data(channel: Channel, new_secrets: str) -> dict[str, str]:
    return {
        "kind": channel.kind,
        "name": channel.name,
        "is_enabled": "on",
        "api_base_url": channel.api_base_url,
        "account_id": channel.account_id,
        "sign_public_replies": "on",
        "rate_limit_per_minute": "30",
        "new_secrets": new_secrets,
    }


def test_a_new_secret_replaces_only_its_own_value(
    admin_client: Client, channels: dict[str, Channel]
) -> None:
    channel = channels["telegram"]

    response = admin_client.post(
        f"/admin/schwarmdesk_channels/channel/{channel.pk}/change/",
        form_data(channel, "bot_token = 999:NEW-token\n"),
    )

    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.secrets == {"bot_token": "999:NEW-token", "webhook_secret": "tg-webhook-secret"}


def test_unknown_or_badly_written_secrets_are_refused(
    admin_client: Client, channels: dict[str, Channel]
) -> None:
    channel = channels["telegram"]
    url = f"/admin/schwarmdesk_channels/channel/{channel.pk}/change/"

    unknown = admin_client.post(url, form_data(channel, "app_secret=x"))
    broken = admin_client.post(url, form_data(channel, "just-a-value"))

    assert "Unbekannte Geheimnisse: app_secret" in unknown.content.decode()
    assert "name=wert" in broken.content.decode()
    channel.refresh_from_db()
    assert channel.secrets == SECRETS["telegram"]


def test_an_event_can_be_replayed_from_the_admin(
    admin_client: Client, client: Client, channels: dict[str, Channel]
) -> None:
    post_webhook(client, channels["x"], fixture_bytes("x", "mention.json"))
    event = InboundEvent.objects.get()

    response = admin_client.post(
        "/admin/schwarmdesk_channels/inboundevent/",
        {"action": "replay", "_selected_action": [str(event.pk)]},
        follow=True,
    )

    assert "Erneut verarbeitete Ereignisse: 1." in response.content.decode()


def test_a_failed_delivery_can_be_retried_from_the_admin_by_an_agent_only(
    client: Client,
    fake_api: FakeApi,
    channels: dict[str, Channel],
    alice: Agent,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    post_webhook(client, channels["telegram"], fixture_bytes("telegram", "private_message.json"))
    fake_api.fail(403, {"ok": False, "description": "Forbidden: bot was blocked by the user"})
    with django_capture_on_commit_callbacks(execute=True):
        reply(alice, Conversation.objects.get().pk, body="Hallo", visibility="private")
    delivery = Delivery.objects.get()
    assert delivery.last_error == "HTTP 403: Forbidden: bot was blocked by the user"
    data = {"action": "retry", "_selected_action": [str(delivery.pk)]}
    User.objects.create_superuser("plain", "plain@example.com", "plain-password")
    client.login(username="plain", password="plain-password")

    refused = client.post("/admin/schwarmdesk_channels/delivery/", data, follow=True)
    client.force_login(alice.user)
    alice.user.is_superuser = True
    alice.user.save(update_fields=["is_superuser"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/schwarmdesk_channels/delivery/", data, follow=True)
    again = client.post("/admin/schwarmdesk_channels/delivery/", data, follow=True)

    assert "Nur Mitarbeitende" in refused.content.decode()
    assert Delivery.objects.get().status == "sent"
    assert f"#{delivery.pk}: only a failed delivery can be retried" in again.content.decode()
    assert len(fake_api.requests) == 2


def test_a_channel_is_added_with_its_secrets_and_a_polled_one_has_no_webhook(
    admin_client: Client,
) -> None:
    blank = admin_client.get("/admin/schwarmdesk_channels/channel/add/")
    data = {
        "kind": "mastodon",
        "name": "Support on Mastodon",
        "is_enabled": "on",
        "api_base_url": "mastodon.example.com",
        "account_id": "1",
        "sign_public_replies": "on",
        "rate_limit_per_minute": "20",
        "new_secrets": "\naccess_token=mastodon-token\n",
    }

    response = admin_client.post("/admin/schwarmdesk_channels/channel/add/", data)

    assert blank.status_code == 200
    assert response.status_code == 302
    channel = Channel.objects.get()
    assert channel.secrets == {"access_token": "mastodon-token"}
    assert channel.api_base_url == "https://mastodon.example.com"
    page = admin_client.get(f"/admin/schwarmdesk_channels/channel/{channel.pk}/change/")
    assert "abgefragt, kein Webhook" in page.content.decode()
    assert "mastodon-token" not in page.content.decode()
