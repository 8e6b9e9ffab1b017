"""Reads for the agent inbox: queues and their counts, the list, SLA due times, the customer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schwarmdesk.channels.models import Channel, MessageRoute
from schwarmdesk.conversations.models import (
    Conversation,
    Direction,
    Message,
    Status,
    Visibility,
)
from schwarmdesk.escalation.models import Escalation
from schwarmdesk.inbox.actions import PRESENCE_TTL
from schwarmdesk.inbox.models import CannedReply, CustomerMerge, Mention, ReplyPresence, SlaPolicy
from schwarmdesk.knowledge.queries import agent_of
from schwarmdesk.people.models import Agent, Customer
from schwarmdesk.search.duplicates import SimilarItem, find_similar
from schwarmdesk.search.models import Kind
from schwarmdesk.search.queries import search

ACTIVE = (Status.OPEN, Status.PENDING)
PAGE_SIZE = 25
SNIPPET_CHARS = 140


def inbox_agent(user: AbstractBaseUser | AnonymousUser) -> Agent | None:
    """The agent behind a request's user; None for anyone who may not use the inbox."""
    agent = agent_of(user)
    if agent is None or not getattr(user, "is_staff", False):
        return None
    return agent


def team_ids(agent: Agent) -> list[int]:
    """The agent's team ids, read once per request (kept on the agent object)."""
    cached: list[int] | None = getattr(agent, "_inbox_team_ids", None)
    if cached is None:
        cached = list(agent.teams.values_list("pk", flat=True))
        agent._inbox_team_ids = cached  # type: ignore[attr-defined]  # a per-object cache
    return cached


def visible_conversations(agent: Agent) -> QuerySet[Conversation]:
    """What the agent may see: the same rule as ``channels.actions.access_conversation``."""
    conversations = Conversation.objects.all()
    if agent.user.is_superuser:
        return conversations
    return conversations.filter(
        Q(team__isnull=True) | Q(team__in=team_ids(agent)) | Q(assignee=agent)
    )


QUEUES: dict[str, Any] = {
    "mine": _("Mine"),
    "teams": _("My teams"),
    "unassigned": _("Unassigned"),
    "escalated": _("Escalated from community"),
    "all": _("All"),
}


def _queue_filter(agent: Agent, queue: str) -> Q:
    escalated = Exists(Escalation.objects.filter(conversation=OuterRef("pk")))
    if queue == "mine":
        return Q(assignee=agent)
    if queue == "teams":
        return Q(team__in=team_ids(agent))
    if queue == "unassigned":
        return Q(assignee__isnull=True)
    if queue == "escalated":
        return Q(escalated)
    return Q()


def queue_counts(agent: Agent) -> dict[str, int]:
    """Open and pending conversations per queue, in one query."""
    teams = team_ids(agent)
    escalated = Exists(Escalation.objects.filter(conversation=OuterRef("pk")))
    counts = (
        visible_conversations(agent)
        .filter(status__in=ACTIVE)
        .annotate(is_escalated=escalated)
        .aggregate(
            mine=Count("pk", filter=Q(assignee=agent)),
            # an empty IN () would empty the whole aggregate: "never" spelled without it
            teams=Count("pk", filter=Q(team__in=teams) if teams else Q(pk__isnull=True)),
            unassigned=Count("pk", filter=Q(assignee__isnull=True)),
            escalated=Count("pk", filter=Q(is_escalated=True)),
            all=Count("pk"),
        )
    )
    return {key: int(counts[key] or 0) for key in QUEUES}


@dataclass(frozen=True)
class Filters:
    queue: str = "mine"
    status: str = "active"
    channel: str = ""
    priority: int | None = None
    tag: str = ""
    language: str = ""
    query: str = ""


def list_conversations(agent: Agent, filters: Filters) -> QuerySet[Conversation]:
    """The conversations of a queue, filtered, with what a list row shows annotated."""
    conversations = visible_conversations(agent).filter(_queue_filter(agent, filters.queue))
    if filters.status == "active":
        conversations = conversations.filter(status__in=ACTIVE)
    elif filters.status in Status.values:
        conversations = conversations.filter(status=filters.status)
    if filters.channel:
        conversations = conversations.filter(origin_channel=filters.channel)
    if filters.priority is not None:
        conversations = conversations.filter(priority=filters.priority)
    if filters.tag:
        conversations = conversations.filter(tags__name=filters.tag)
    if filters.language:
        conversations = conversations.filter(language=filters.language)
    if filters.query.strip():
        hits = search(agent.user, filters.query, kinds=[Kind.CONVERSATION], limit=100)
        conversations = conversations.filter(pk__in=[hit.object_id for hit in hits])
    # "last_customer_at" is annotated by with_list_columns, which mypy's plugin cannot follow
    return with_list_columns(conversations).order_by(
        "-priority",
        "last_customer_at",  # type: ignore[misc]  # annotated just above
        "-pk",
    )


def with_list_columns(conversations: QuerySet[Conversation]) -> QuerySet[Conversation]:
    latest = Message.objects.filter(conversation=OuterRef("pk")).exclude(
        visibility=Visibility.INTERNAL
    )
    return conversations.select_related("customer", "assignee", "team").annotate(
        snippet=Subquery(
            latest.order_by("-created_at", "-pk")
            .annotate(head=Substr("body_text", 1, SNIPPET_CHARS))
            .values("head")[:1]
        ),
        last_customer_at=Max(
            "messages__created_at", filter=Q(messages__direction=Direction.INBOUND)
        ),
        last_agent_at=Max(
            "messages__created_at",
            filter=Q(messages__direction=Direction.OUTBOUND)
            & ~Q(messages__visibility=Visibility.INTERNAL),
        ),
    )


# SLA -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    kind: str  # first_response, next_response, resolution
    label: Any
    due_at: datetime

    def is_breached(self, now: datetime) -> bool:
        return self.due_at <= now


def sla_policies() -> dict[int, SlaPolicy]:
    return {policy.priority: policy for policy in SlaPolicy.objects.filter(is_enabled=True)}


def sla_due(
    conversation: Conversation,
    policies: dict[int, SlaPolicy],
    *,
    last_customer_at: datetime | None,
    last_agent_at: datetime | None,
) -> list[Due]:
    """The SLA targets still running for a conversation, earliest first.

    First response: from creation until the first agent reply. Next response: from the
    customer's latest message after an agent's reply. Resolution: from creation until solved.
    """
    policy = policies.get(conversation.priority)
    if policy is None or conversation.status not in ACTIVE:
        return []
    minutes = timedelta(minutes=1)
    targets = []
    if last_agent_at is None:
        targets.append(
            Due(
                "first_response",
                _("first response"),
                conversation.created_at + policy.first_response_minutes * minutes,
            )
        )
    elif last_customer_at is not None and last_customer_at > last_agent_at:
        targets.append(
            Due(
                "next_response",
                _("next response"),
                last_customer_at + policy.next_response_minutes * minutes,
            )
        )
    targets.append(
        Due(
            "resolution",
            _("resolution"),
            conversation.created_at + policy.resolution_minutes * minutes,
        )
    )
    return sorted(targets, key=lambda due: due.due_at)


@dataclass(frozen=True)
class Row:
    conversation: Conversation
    due: Due | None
    is_breached: bool
    waiting_since: datetime | None


def list_rows(conversations: list[Conversation], now: datetime | None = None) -> list[Row]:
    now = now or timezone.now()
    policies = sla_policies()
    rows = []
    for conversation in conversations:
        last_customer_at = getattr(conversation, "last_customer_at", None)
        last_agent_at = getattr(conversation, "last_agent_at", None)
        targets = sla_due(
            conversation,
            policies,
            last_customer_at=last_customer_at,
            last_agent_at=last_agent_at,
        )
        waiting = None
        if conversation.status in ACTIVE and (
            last_agent_at is None or (last_customer_at and last_customer_at > last_agent_at)
        ):
            waiting = last_customer_at or conversation.created_at
        first = targets[0] if targets else None
        rows.append(
            Row(
                conversation=conversation,
                due=first,
                is_breached=first is not None and first.is_breached(now),
                waiting_since=waiting,
            )
        )
    return rows


def conversation_sla(conversation: Conversation, now: datetime | None = None) -> list[Due]:
    stats = conversation.messages.aggregate(
        last_customer_at=Max("created_at", filter=Q(direction=Direction.INBOUND)),
        last_agent_at=Max(
            "created_at",
            filter=Q(direction=Direction.OUTBOUND) & ~Q(visibility=Visibility.INTERNAL),
        ),
    )
    return sla_due(conversation, sla_policies(), **stats)


# The conversation view -------------------------------------------------------------------------


def list_thread(conversation: Conversation) -> list[Message]:
    return list(
        conversation.messages.select_related(
            "author_agent", "author_customer", "delivery", "delivery__channel"
        ).order_by("created_at", "pk")
    )


def list_other_replying(agent: Agent, conversation: Conversation) -> list[Agent]:
    fresh = timezone.now() - PRESENCE_TTL
    presences = ReplyPresence.objects.filter(conversation=conversation, seen_at__gte=fresh).exclude(
        agent=agent
    )
    return [presence.agent for presence in presences.select_related("agent").order_by("pk")]


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "conversation", "question", "answer"
    title: str
    url: str
    channel: str
    status: str
    is_current: bool = False


def customer_timeline(
    agent: Agent, customer: Customer, current: Conversation
) -> tuple[list[TimelineEntry], int]:
    """Every conversation of the customer the agent may see, across channels, and their
    community questions and answers, newest first; plus how many conversations are hidden."""
    from schwarmdesk.community.models import Answer, Question  # noqa: PLC0415

    every = Conversation.objects.filter(customer=customer)
    visible = list(
        visible_conversations(agent).filter(customer=customer).order_by("-created_at", "-pk")
    )
    hidden = every.count() - len(visible)
    entries = [
        TimelineEntry(
            at=conversation.created_at,
            kind="conversation",
            title=f"{conversation.reference} {conversation.subject}",
            url=f"/inbox/c/{conversation.pk}/",
            channel=str(conversation.get_origin_channel_display()),
            status=str(conversation.get_status_display()),
            is_current=conversation.pk == current.pk,
        )
        for conversation in visible
    ]
    if customer.user_id is not None:
        for question in Question.objects.filter(author_id=customer.user_id).order_by("-pk")[:20]:
            entries.append(
                TimelineEntry(
                    at=question.created_at,
                    kind="question",
                    title=question.title,
                    url=question.get_absolute_url(),
                    channel=str(_("Community")),
                    status=str(question.get_status_display()),
                )
            )
        answers = Answer.objects.filter(author_id=customer.user_id).select_related("question")
        for answer in answers.order_by("-pk")[:20]:
            entries.append(
                TimelineEntry(
                    at=answer.created_at,
                    kind="answer",
                    title=answer.question.title,
                    url=f"{answer.question.get_absolute_url()}#answer-{answer.pk}",
                    channel=str(_("Community")),
                    status="",
                )
            )
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries, hidden


def list_merges(customer: Customer) -> list[CustomerMerge]:
    return list(
        CustomerMerge.objects.filter(Q(target=customer) | Q(source=customer))
        .select_related("source", "target", "merged_by", "undone_by")
        .order_by("-merged_at", "-pk")
    )


def list_reply_channels(conversation: Conversation) -> list[Channel]:
    ids = (
        MessageRoute.objects.filter(message__conversation__customer=conversation.customer_id)
        .values_list("channel_id", flat=True)
        .distinct()
    )
    return list(Channel.objects.filter(pk__in=ids, is_enabled=True).order_by("kind", "name"))


def list_unread_mentions(agent: Agent) -> list[Mention]:
    return list(
        Mention.objects.filter(agent=agent, read_at__isnull=True)
        .select_related("conversation", "author", "message")
        .order_by("-created_at", "-pk")[:20]
    )


def is_escalation(conversation: Conversation) -> bool:
    return Escalation.objects.filter(conversation=conversation).exists()


VARIABLE = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")


def render_canned(reply: CannedReply, *, conversation: Conversation, agent: Agent) -> str:
    """Fill in ``{{customer.name}}``, ``{{agent.name}}`` and ``{{conversation.reference}}``;
    an unknown variable stays as written."""
    values = {
        "customer.name": conversation.customer.display_name,
        "agent.name": agent.display_name,
        "agent.initials": agent.initials,
        "conversation.reference": conversation.reference,
        "conversation.subject": conversation.subject,
    }
    return VARIABLE.sub(lambda match: values.get(match.group(1), match.group(0)), reply.body)


def list_canned(language: str) -> list[CannedReply]:
    replies = list(CannedReply.objects.all())
    return sorted(replies, key=lambda reply: (reply.language != language, reply.title))


def list_agents() -> list[Agent]:
    return list(Agent.objects.filter(user__is_active=True).order_by("display_name"))


def related_items(
    agent: Agent, conversation: Conversation
) -> tuple[list[SimilarItem], list[SimilarItem]]:
    """Help articles about the conversation, and similar conversations already solved."""
    first = (
        conversation.messages.exclude(visibility=Visibility.INTERNAL)
        .order_by("created_at", "pk")
        .values_list("body_text", flat=True)
        .first()
    )
    text = f"{conversation.subject}\n{first or ''}"
    articles = find_similar(agent.user, text, kinds=[Kind.ARTICLE], limit=5)
    similar = find_similar(
        agent.user,
        text,
        kinds=[Kind.CONVERSATION],
        exclude=(Kind.CONVERSATION, conversation.pk),
        limit=10,
    )
    solved = set(
        visible_conversations(agent)
        .filter(
            pk__in=[item.object_id for item in similar],
            status__in=[Status.SOLVED, Status.CLOSED],
        )
        .values_list("pk", flat=True)
    )
    return articles, [item for item in similar if item.object_id in solved][:5]


def neighbours(agent: Agent, conversation: Conversation) -> tuple[int | None, int | None]:
    """The previous and next conversation in the agent's active queue (for j and k)."""
    queue = "mine" if conversation.assignee_id == agent.pk else "all"
    ids = list(list_conversations(agent, Filters(queue=queue)).values_list("pk", flat=True)[:500])
    if conversation.pk not in ids:
        return None, ids[0] if ids else None
    index = ids.index(conversation.pk)
    return (ids[index - 1] if index > 0 else None), (
        ids[index + 1] if index + 1 < len(ids) else None
    )
