"""Done when: a Telegram message and an X mention from the same person, once merged in the inbox,
show in one timeline (recorded platform payloads, parsed by the real adapters)."""

from __future__ import annotations

from pathlib import Path

from django.test import Client

from schwarmdesk.channels.actions import ingest
from schwarmdesk.channels.adapters.base import InboundRequest
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.channels.models import Channel
from schwarmdesk.conversations.models import Conversation
from schwarmdesk.people.models import Agent, ChannelIdentity
from tests.channels.conftest import FakeApi, make_channel

FIXTURES = Path(__file__).resolve().parent.parent / "channels" / "fixtures"


def deliver(channel: Channel, fixture: str) -> Conversation:
    body = (FIXTURES / fixture).read_bytes()
    result = ingest(channel, InboundRequest(method="POST", body=body, headers={}))
    (message,) = result.messages
    return message.conversation


def test_telegram_and_x_mention_of_one_person_share_one_timeline_once_merged(
    client: Client, ada: Agent, fake_api: FakeApi
) -> None:
    channels = {
        kind: make_channel(kind, fake_api.url) for kind in (ChannelKind.TELEGRAM, ChannelKind.X)
    }
    # given the same person writes on Telegram and mentions us on X: two customer records
    telegram = deliver(channels[ChannelKind.TELEGRAM], "telegram/private_message.json")
    mention = deliver(channels[ChannelKind.X], "x/mention.json")
    assert telegram.customer_id != mention.customer_id
    client.force_login(ada.user)
    page = client.get(f"/inbox/c/{telegram.pk}/").content.decode()
    assert mention.reference not in page

    # when an agent merges the X record into the Telegram one from the conversation page
    response = client.post(
        f"/inbox/c/{telegram.pk}/merge/",
        {"source": str(mention.customer_id), "reason": "gleiche Person, Profil verlinkt"},
    )
    assert response.status_code == 302

    # then both conversations are in one timeline, on either conversation's page
    for conversation in (telegram, mention):
        html = client.get(f"/inbox/c/{conversation.pk}/").content.decode()
        assert telegram.reference in html
        assert mention.reference in html
        assert "Verknüpft wegen: von einem Agenten zusammengeführt" in html
    kinds = set(
        ChannelIdentity.objects.filter(customer_id=telegram.customer_id).values_list(
            "kind", flat=True
        )
    )
    assert kinds == {ChannelKind.TELEGRAM, ChannelKind.X}
    assert Conversation.objects.filter(customer_id=telegram.customer_id).count() == 2
