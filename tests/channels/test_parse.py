"""Every recorded fixture parses to exactly these messages (Zulip's check_webhook)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schwarmdesk.channels.adapters import ADAPTERS
from schwarmdesk.channels.adapters.base import (
    ChannelConfig,
    InboundMessage,
    InboundRequest,
    ParseError,
    Sender,
)
from tests.channels.conftest import ACCOUNT_IDS, FIXTURES, MASTODON_BASE, SECRETS, fixture_bytes

EXPECTED: dict[tuple[str, str], list[InboundMessage]] = {
    ("telegram", "private_message.json"): [
        InboundMessage(
            kind="telegram",
            external_id="5012345678:52",
            sender=Sender("5012345678", "@carol_example", "Carol Clausen", "de"),
            text="Hallo, mein Zug RE 7 ist ausgefallen. Bekomme ich das Geld zurück?",
            sent_at=datetime(2025, 11, 23, 12, 13, 20, tzinfo=UTC),
            is_public=False,
            thread_key="chat:5012345678",
            reply_context={"chat_id": "5012345678", "message_id": "52"},
        )
    ],
    ("telegram", "reply_message.json"): [
        InboundMessage(
            kind="telegram",
            external_id="5012345678:54",
            sender=Sender("5012345678", "@carol_example", "Carol", "de"),
            text="Die Buchungsnummer ist ABC123.",
            sent_at=datetime(2025, 11, 23, 12, 23, 20, tzinfo=UTC),
            is_public=False,
            thread_key="chat:5012345678",
            reply_to_external_id="5012345678:53",
            reply_context={"chat_id": "5012345678", "message_id": "54"},
        )
    ],
    ("telegram", "ignored_edited_message.json"): [],
    ("facebook", "messenger_message.json"): [
        InboundMessage(
            kind="facebook",
            external_id=(
                "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_"
                "5cgXIbu7I3rBN0P"
            ),
            sender=Sender("6543210987654321"),
            text="Hi, my router keeps dropping the connection every evening.",
            sent_at=datetime(2025, 11, 23, 12, 13, 20, tzinfo=UTC),
            is_public=False,
            thread_key="messenger:104857600000001:6543210987654321",
            reply_context={"recipient_id": "6543210987654321"},
        )
    ],
    ("facebook", "feed_comment.json"): [
        InboundMessage(
            kind="facebook",
            external_id="comment:998877665544_1122334455",
            sender=Sender("7788990011223344", display_name="Dave Dorn"),
            text="Is the new tariff available in Hamburg yet?",
            sent_at=datetime(2025, 11, 23, 12, 15, tzinfo=UTC),
            is_public=True,
            thread_key="post:104857600000001_998877665544",
            reply_context={
                "comment_id": "998877665544_1122334455",
                "recipient_id": "7788990011223344",
            },
        )
    ],
    ("facebook", "ignored_message_read.json"): [],
    ("x", "mention.json"): [
        InboundMessage(
            kind="x",
            external_id="1860000000000000101",
            sender=Sender("1001", "@carol", "Carol Clausen", "en"),
            text="@schwarmdesk_example my invoice shows the old tariff, can you check?",
            sent_at=datetime(2026, 11, 23, 12, 30, tzinfo=UTC),
            is_public=True,
            thread_key="mention:1001",
            reply_context={
                "tweet_id": "1860000000000000101",
                "user_id": "1001",
                "screen_name": "carol",
            },
        )
    ],
    ("x", "direct_message.json"): [
        InboundMessage(
            kind="x",
            external_id="dm:1860000000000000202",
            sender=Sender("2002", "@dave_example", "Dave Dorn"),
            text="Hallo, ich möchte meine Adresse ändern.",
            sent_at=datetime(2025, 11, 23, 12, 30, tzinfo=UTC),
            is_public=False,
            thread_key="dm:2002",
            reply_context={"user_id": "2002"},
        )
    ],
    ("x", "ignored_favorite.json"): [],
    ("mastodon", "notifications.json"): [
        InboundMessage(
            kind="mastodon",
            external_id="mastodon.example.com/113540000000000002",
            sender=Sender("dave@social.example.com", "@dave@social.example.com", "Dave Dorn", "en"),
            text="@support my parcel never arrived & nobody answers",
            sent_at=datetime(2026, 11, 23, 12, 50, tzinfo=UTC),
            is_public=False,
            thread_key="direct:dave@social.example.com",
            reply_context={
                "status_id": "113540000000000002",
                "acct": "dave@social.example.com",
                "visibility": "direct",
            },
        ),
        InboundMessage(
            kind="mastodon",
            external_id="mastodon.example.com/113540000000000001",
            sender=Sender(
                "carol@mastodon.example.com",
                "@carol@mastodon.example.com",
                "Carol Clausen",
                "de",
            ),
            text="@support Die App zeigt seit gestern keine Fahrpläne mehr.\nVersion 4.2",
            sent_at=datetime(2026, 11, 23, 12, 40, tzinfo=UTC),
            is_public=True,
            thread_key="mention:carol@mastodon.example.com",
            reply_to_external_id="mastodon.example.com/113539000000000009",
            reply_context={
                "status_id": "113540000000000001",
                "acct": "carol@mastodon.example.com",
                "visibility": "public",
            },
        ),
    ],
    ("mastodon", "ignored_follow.json"): [],
}


def adapter_for(kind: str):  # type: ignore[no-untyped-def]
    config = ChannelConfig(
        channel_id=1,
        api_base_url=MASTODON_BASE if kind == "mastodon" else "",
        account_id=ACCOUNT_IDS[kind],
        secrets=SECRETS[kind],
    )
    return ADAPTERS[kind](config)


def parse(kind: str, body: bytes) -> list[InboundMessage]:
    request = InboundRequest(method="POST", body=body, headers={})
    return list(adapter_for(kind).parse(request))


@pytest.mark.parametrize(("kind", "name"), sorted(EXPECTED), ids=str)
def test_fixture_parses_to_exactly(kind: str, name: str) -> None:
    assert parse(kind, fixture_bytes(kind, name)) == EXPECTED[(kind, name)]


# Kinds whose fixtures are checked in their own test module, the same way.
CHECKED_ELSEWHERE = {
    "email": "test_email_parse.py",
    "web_form": "test_web_form.py",
    "web_chat": "test_web_chat.py",
}


def test_every_adapter_has_fixtures_and_every_fixture_is_checked() -> None:
    on_disk = {
        (path.parent.name, path.name)
        for path in FIXTURES.glob("*/*.json")
        if path.parent.name not in CHECKED_ELSEWHERE
    }
    assert on_disk == set(EXPECTED)
    for kind in set(ADAPTERS) - set(CHECKED_ELSEWHERE):
        checked = [name for fixture_kind, name in EXPECTED if fixture_kind == kind]
        assert any(name.startswith("ignored_") for name in checked), kind
        assert any(EXPECTED[(kind, name)] for name in checked), kind


@pytest.mark.parametrize("kind", sorted(ADAPTERS))
@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'{"update_id": "x"}', b"{}", b'"text"'],
    ids=["not-json", "wrong-shape", "wrong-type", "empty", "scalar"],
)
def test_malformed_bodies_raise_parse_error(kind: str, body: bytes) -> None:
    if kind == "mastodon" and body == b"[1, 2]":
        body = b'[{"id": "1", "type": "mention", "status": {"id": 5}}]'
    with pytest.raises(ParseError):
        parse(kind, body)


def test_own_messages_and_echoes_are_ignored() -> None:
    echo = (
        b'{"object": "page", "entry": [{"id": "104857600000001", "time": 1, "messaging": [{'
        b'"sender": {"id": "104857600000001"}, "recipient": {"id": "6543210987654321"},'
        b'"timestamp": 1, "message": {"mid": "m_1", "text": "hi", "is_echo": true}}]}]}'
    )
    assert parse("facebook", echo) == []
    own_tweet = fixture_bytes("x", "mention.json").replace(
        b'"id_str": "1001"', b'"id_str": "1500000000000000001"'
    )
    assert parse("x", own_tweet) == []
