"""Conversations are searchable by agents; internal notes never are, by anyone."""

from __future__ import annotations

from django.contrib.auth.models import User

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.conversations.actions import add_message, set_status
from schwarmdesk.conversations.models import Conversation, Direction, Status, Visibility
from schwarmdesk.people.models import Agent, Customer
from schwarmdesk.search.models import Kind, SearchDocument
from schwarmdesk.search.queries import search


def test_conversation_is_indexed_for_agents_without_internal_notes(
    alice: Agent, carol: Customer, carol_conversation: Conversation
) -> None:
    add_message(
        None,
        carol_conversation,
        direction=Direction.INBOUND,
        visibility=Visibility.PUBLIC,
        channel_kind=ChannelKind.EMAIL,
        body_text="Der ICE 578 ist ausgefallen, ich möchte mein Geld zurück.",
        author_customer=carol,
    )
    add_message(
        alice.user,
        carol_conversation,
        direction=Direction.OUTBOUND,
        visibility=Visibility.INTERNAL,
        channel_kind=ChannelKind.EMAIL,
        body_text="Kulanzbudget Quittenbaum freigegeben",
        author_agent=alice,
    )
    admin = User.objects.create_superuser("root", password="pw")
    document = SearchDocument.objects.get(kind=Kind.CONVERSATION, object_id=carol_conversation.pk)
    assert "Quittenbaum" not in document.body
    assert "ICE 578" in document.body
    assert search(admin, "Quittenbaum") == []
    assert [h.object_id for h in search(alice.user, "ICE 578 ausgefallen")] == [
        carol_conversation.pk
    ]
    assert search(None, "ICE 578 ausgefallen") == []


def test_solving_raises_the_quality_prior(carol_conversation: Conversation) -> None:
    set_status(None, carol_conversation, status=Status.SOLVED)
    document = SearchDocument.objects.get(kind=Kind.CONVERSATION, object_id=carol_conversation.pk)
    assert document.quality == 0.2
