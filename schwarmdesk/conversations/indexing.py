"""How conversations appear in the search index: for agents only, never with internal notes."""

from __future__ import annotations

from collections.abc import Sequence

from schwarmdesk.conversations.models import Conversation, Status, Visibility
from schwarmdesk.search.indexing import IndexEntry, index_document
from schwarmdesk.search.models import Audience, Kind
from schwarmdesk.search.registry import IndexSource, register

# The newest messages are what a similar case is recognised by; older ones are cut.
MAX_MESSAGES = 20


def conversation_entry(conversation: Conversation) -> IndexEntry:
    messages = list(
        conversation.messages.exclude(visibility=Visibility.INTERNAL)
        .order_by("-created_at", "-pk")
        .values_list("body_text", flat=True)[:MAX_MESSAGES]
    )
    solved = conversation.status in (Status.SOLVED, Status.CLOSED)
    return IndexEntry(
        kind=Kind.CONVERSATION,
        object_id=conversation.pk,
        audience=Audience.AGENTS,
        team_id=conversation.team_id,
        title=conversation.subject or conversation.reference,
        body="\n".join(reversed(messages)),
        language=conversation.language,
        url=f"/admin/conversations/conversation/{conversation.pk}/change/",
        tags=tuple(conversation.tags.values_list("name", flat=True)),
        quality=0.2 if solved else 0.0,
    )


def index_conversation(conversation: Conversation) -> None:
    index_document(conversation_entry(conversation))


def _batch(after: int, size: int) -> Sequence[tuple[int, IndexEntry | None]]:
    conversations = Conversation.objects.filter(pk__gt=after).order_by("pk")[:size]
    return [(c.pk, conversation_entry(c)) for c in conversations]


def register_source() -> None:
    register(IndexSource(kind=Kind.CONVERSATION, batch=_batch, objects=Conversation.objects.all))
