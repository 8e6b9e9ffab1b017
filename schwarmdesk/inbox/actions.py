"""Every state change the agent inbox makes: replies, notes, assignment, status, merges."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from schwarmdesk.channels import actions as channels
from schwarmdesk.channels.actions import access_conversation
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.channels.models import Delivery, MessageRoute
from schwarmdesk.conversations import actions as conversations
from schwarmdesk.conversations.models import (
    Conversation,
    Direction,
    Message,
    Priority,
    Status,
    Visibility,
)
from schwarmdesk.core.errors import Invalid, NotFound
from schwarmdesk.escalation.actions import answer_escalation
from schwarmdesk.escalation.models import Escalation
from schwarmdesk.inbox.models import CustomerMerge, Mention, ReplyPresence, RoundRobinCursor
from schwarmdesk.people.actions import create_customer, record_evidence
from schwarmdesk.people.evidence import Evidence, EvidenceKind
from schwarmdesk.people.models import Agent, ChannelIdentity, Customer

log = logging.getLogger(__name__)

MENTION = re.compile(r"(?<![\w@.])@([\w.+-]{1,150})")
PRESENCE_TTL = timedelta(seconds=20)  # "is replying" disappears this long after the last ping


# Replies and notes -----------------------------------------------------------------------------


def reply(
    agent: Agent, conversation_id: int, *, body: str, channel_id: int | None = None
) -> Message:
    """A reply to the customer: in the conversation's own channel, in another channel the
    customer has written to us on (``channel_id``), or, for an escalated community question,
    as the official answer under the question."""
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise Invalid(_("Please write a reply first."))
    conversation = access_conversation(agent, conversation_id)
    if Escalation.objects.filter(conversation=conversation).exists():
        answer_escalation(agent.user, conversation.pk, body=text)
        message = conversation.messages.filter(author_agent=agent).order_by("-pk").first()
        if message is None:  # answer_escalation stores it in the same call: never
            raise NotFound("no such message")
        return message
    original = _latest_route(Q(message__conversation=conversation))
    if channel_id is None or (original is not None and original.channel_id == channel_id):
        visibility = _reply_visibility(original)
        return channels.reply(agent, conversation.pk, body=text, visibility=visibility)
    return _reply_elsewhere(agent, conversation, text=text, channel_id=channel_id)


def _latest_route(where: Q) -> MessageRoute | None:
    return (
        MessageRoute.objects.select_related("channel", "message")
        .filter(where)
        .order_by("-message__created_at", "-message__pk")
        .first()
    )


def _reply_visibility(route: MessageRoute | None) -> str:
    """Public where the customer wrote in public (a mention, a comment), private otherwise."""
    if route is not None and route.message.visibility == Visibility.PUBLIC:
        return Visibility.PUBLIC
    return Visibility.PRIVATE


@transaction.atomic
def _reply_elsewhere(
    agent: Agent, conversation: Conversation, *, text: str, channel_id: int
) -> Message:
    conversation = access_conversation(agent, conversation.pk, for_update=True)
    route = _latest_route(
        Q(message__conversation__customer=conversation.customer_id)
        & Q(channel_id=channel_id, channel__is_enabled=True)
    )
    if route is None:
        raise Invalid(_("The customer has never written to us on that channel."))
    message = conversations.add_message(
        agent.user,
        conversation,
        direction=Direction.OUTBOUND,
        visibility=_reply_visibility(route),
        channel_kind=route.channel.kind,
        body_text=text,
        author_agent=agent,
    )
    Delivery.objects.create(
        message=message, channel=route.channel, route=route, next_attempt_at=timezone.now()
    )
    transaction.on_commit(channels.queue_deliveries)
    return message


@transaction.atomic
def add_note(agent: Agent, conversation_id: int, *, body: str) -> Message:
    """An internal note: never delivered, never shown to customers; ``@alice`` or ``@AA``
    notifies that colleague in the inbox and by e-mail, if they may see the conversation."""
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise Invalid(_("Please write a note first."))
    note = channels.reply(agent, conversation_id, body=text, visibility=Visibility.INTERNAL)
    # Only colleagues who may open the conversation are told: a note never leaks to others.
    mentioned = [
        other
        for other in mentioned_agents(text)
        if other.pk != agent.pk and _may_see(other, conversation_id)
    ]
    mentions = [
        Mention.objects.create(
            message=note, conversation_id=conversation_id, agent=other, author=agent
        )
        for other in mentioned
    ]
    if mentions:
        ids = [mention.pk for mention in mentions]
        transaction.on_commit(lambda: _queue_mention_mail(ids))
    return note


def _may_see(agent: Agent, conversation_id: int) -> bool:
    try:
        access_conversation(agent, conversation_id)
    except NotFound:
        return False
    return True


def mentioned_agents(text: str) -> list[Agent]:
    """Agents named as ``@username`` (any case) or ``@INITIALS`` (upper case) in a text."""
    words = {match.group(1).rstrip(".") for match in MENTION.finditer(text)}
    if not words:
        return []
    by_name = Q()
    for word in words:
        by_name |= Q(user__username__iexact=word)
    initials = [word for word in words if word.isupper() and len(word) <= 4]
    found = Agent.objects.filter(by_name | Q(initials__in=initials), user__is_active=True)
    return list(found.select_related("user").order_by("pk"))


def _queue_mention_mail(mention_ids: list[int]) -> None:
    from schwarmdesk.inbox.tasks import mail_mentions_task  # noqa: PLC0415

    mail_mentions_task(mention_ids)


@transaction.atomic
def mark_mentions_read(agent: Agent, *, conversation_id: int | None = None) -> int:
    mentions = Mention.objects.filter(agent=agent, read_at__isnull=True)
    if conversation_id is not None:
        mentions = mentions.filter(conversation_id=conversation_id)
    return mentions.update(read_at=timezone.now())


def retry_delivery(agent: Agent, delivery_id: int) -> Delivery:
    return channels.retry_delivery(agent, delivery_id)


# Assignment, status, priority, tags ------------------------------------------------------------


@transaction.atomic
def assign(agent: Agent, conversation_id: int, *, assignee_id: int | None) -> Conversation:
    """Give a conversation to an agent (or to nobody)."""
    conversation = access_conversation(agent, conversation_id, for_update=True)
    assignee = None
    if assignee_id is not None:
        assignee = Agent.objects.filter(pk=assignee_id, user__is_active=True).first()
        if assignee is None:
            raise Invalid(_("There is no such agent."))
    conversation.assignee = assignee
    conversation.save(update_fields=["assignee", "updated_at"])
    log.info("inbox.assigned conversation=%s assignee=%s", conversation.pk, assignee_id)
    return conversation


@transaction.atomic
def assign_round_robin(agent: Agent, conversation_id: int) -> Conversation:
    """Give a conversation to the next available agent of its team, in turn."""
    conversation = access_conversation(agent, conversation_id, for_update=True)
    if conversation.team_id is None:
        raise Invalid(_("Round-robin needs a team on the conversation."))
    candidates = list(
        Agent.objects.filter(teams=conversation.team_id, is_available=True, user__is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not candidates:
        raise Invalid(_("Nobody in the team is available."))
    cursor, _created = RoundRobinCursor.objects.get_or_create(team_id=conversation.team_id)
    cursor = RoundRobinCursor.objects.select_for_update().get(pk=cursor.pk)
    last = cursor.last_agent_id or 0
    chosen = next((pk for pk in candidates if pk > last), candidates[0])
    cursor.last_agent_id = chosen
    cursor.save(update_fields=["last_agent"])
    conversation.assignee_id = chosen
    conversation.save(update_fields=["assignee", "updated_at"])
    log.info("inbox.round_robin conversation=%s assignee=%s", conversation.pk, chosen)
    return conversation


@transaction.atomic
def set_availability(agent: Agent, *, is_available: bool) -> Agent:
    agent.is_available = is_available
    agent.save(update_fields=["is_available"])
    return agent


@transaction.atomic
def change_status(agent: Agent, conversation_id: int, *, status: str) -> Conversation:
    conversation = access_conversation(agent, conversation_id, for_update=True)
    if status not in Status.values:
        raise Invalid(_("Unknown status: %(status)s") % {"status": status})
    return conversations.set_status(agent.user, conversation, status=status)


@transaction.atomic
def change_priority(agent: Agent, conversation_id: int, *, priority: int) -> Conversation:
    conversation = access_conversation(agent, conversation_id, for_update=True)
    if priority not in Priority.values:
        raise Invalid(_("Unknown priority: %(priority)s") % {"priority": priority})
    conversation.priority = priority
    conversation.save(update_fields=["priority", "updated_at"])
    return conversation


@transaction.atomic
def change_tags(agent: Agent, conversation_id: int, *, tags: Iterable[str]) -> Conversation:
    conversation = access_conversation(agent, conversation_id, for_update=True)
    return conversations.set_tags(agent.user, conversation, tags=tags)


# Collision warning -----------------------------------------------------------------------------


def mark_replying(agent: Agent, conversation_id: int) -> ReplyPresence:
    """Record that the agent is writing a reply now; others see a warning for a short while."""
    conversation = access_conversation(agent, conversation_id)
    presence, _created = ReplyPresence.objects.update_or_create(
        conversation=conversation, agent=agent, defaults={"seen_at": timezone.now()}
    )
    return presence


def stop_replying(agent: Agent, conversation_id: int) -> None:
    ReplyPresence.objects.filter(conversation_id=conversation_id, agent=agent).delete()


# Merging customers -----------------------------------------------------------------------------


def access_customer(agent: Agent, pk: int) -> Customer:
    """Customers are shared by all agents; anyone else gets NotFound."""
    if not agent.user.is_active:
        raise NotFound("no such customer")
    customer = Customer.objects.filter(pk=pk).first()
    if customer is None:
        raise NotFound("no such customer")
    return customer


@transaction.atomic
def merge_customers(
    agent: Agent, source_id: int, target_id: int, *, reason: str = ""
) -> CustomerMerge:
    """Move the source customer's identities, conversations, messages and community account to
    the target; the record of exactly what moved lets :func:`unmerge_customers` undo it."""
    if source_id == target_id:
        raise Invalid(_("A customer cannot be merged into itself."))
    source = access_customer(agent, source_id)
    target = access_customer(agent, target_id)
    return _merge(source, target, merged_by=agent, reason=reason)


def _merge(
    source: Customer,
    target: Customer,
    *,
    merged_by: Agent | None,
    reason: str,
    evidence_kind: str = EvidenceKind.AGENT_MERGE,
) -> CustomerMerge:
    source_id = source.pk
    locked = Customer.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
    source, target = sorted(locked, key=lambda c: c.pk != source_id)
    identity_ids = list(source.identities.order_by("pk").values_list("pk", flat=True))
    conversation_ids = list(source.conversations.order_by("pk").values_list("pk", flat=True))
    message_ids = list(
        Message.objects.filter(author_customer=source).order_by("pk").values_list("pk", flat=True)
    )
    moved_user_id = None
    if source.user_id is not None and target.user_id is None:
        moved_user_id = source.user_id
        Customer.objects.filter(pk=source.pk).update(user=None)
        Customer.objects.filter(pk=target.pk).update(user_id=moved_user_id)
    ChannelIdentity.objects.filter(pk__in=identity_ids).update(customer=target)
    Conversation.objects.filter(pk__in=conversation_ids).update(customer=target)
    Message.objects.filter(pk__in=message_ids).update(author_customer=target)
    merge = CustomerMerge.objects.create(
        source=source,
        target=target,
        reason=reason.strip()[:300],
        merged_by=merged_by,
        identity_ids=identity_ids,
        conversation_ids=conversation_ids,
        message_ids=message_ids,
        moved_user_id=moved_user_id,
    )
    by = merged_by.display_name if merged_by is not None else ""
    record_evidence(
        identity_ids,
        Evidence(evidence_kind, by=by, detail=merge.reason, merge_id=merge.pk),
    )
    log.info("inbox.merged source=%s target=%s merge=%s", source.pk, target.pk, merge.pk)
    return merge


@transaction.atomic
def split_customer(
    agent: Agent, customer_id: int, *, identity_ids: list[int], display_name: str, reason: str = ""
) -> CustomerMerge:
    """Move some identities of a customer, and the conversations that only ever came in through
    their channels, to a new customer; undone like a merge (:func:`unmerge_customers`)."""
    source = access_customer(agent, customer_id)
    source = Customer.objects.select_for_update().get(pk=source.pk)
    identities = list(source.identities.filter(pk__in=identity_ids).order_by("pk"))
    if not identities or len(identities) != len(set(identity_ids)):
        raise Invalid(_("Choose identities of this customer to split off."))
    if len(identities) == source.identities.count():
        raise Invalid(_("At least one identity has to stay with the customer."))
    kinds = {identity.kind for identity in identities}
    target = create_customer(
        agent.user, display_name=display_name.strip() or identities[0].handle or source.display_name
    )
    other_kinds = Message.objects.filter(
        conversation=OuterRef("pk"), direction=Direction.INBOUND
    ).exclude(channel_kind__in=kinds)
    conversation_ids = list(
        source.conversations.filter(origin_channel__in=kinds)
        .exclude(Exists(other_kinds))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    message_ids = list(
        Message.objects.filter(author_customer=source, conversation_id__in=conversation_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    moved_identity_ids = [identity.pk for identity in identities]
    ChannelIdentity.objects.filter(pk__in=moved_identity_ids).update(customer=target)
    Conversation.objects.filter(pk__in=conversation_ids).update(customer=target)
    Message.objects.filter(pk__in=message_ids).update(author_customer=target)
    split = CustomerMerge.objects.create(
        source=source,
        target=target,
        is_split=True,
        reason=reason.strip()[:300],
        merged_by=agent,
        identity_ids=moved_identity_ids,
        conversation_ids=conversation_ids,
        message_ids=message_ids,
    )
    log.info("inbox.split source=%s target=%s split=%s", source.pk, target.pk, split.pk)
    return split


@transaction.atomic
def unmerge_customers(agent: Agent, merge_id: int) -> CustomerMerge:
    """Undo a merge: exactly what moved goes back to the customer it came from."""
    merge = CustomerMerge.objects.select_for_update().filter(pk=merge_id).first()
    if merge is None or not agent.user.is_active:
        raise NotFound("no such merge")
    if merge.undone_at is not None:
        raise Invalid(_("This merge is already undone."))
    returned = list(
        ChannelIdentity.objects.filter(
            pk__in=merge.identity_ids, customer=merge.target_id
        ).values_list("pk", flat=True)
    )
    ChannelIdentity.objects.filter(pk__in=returned).update(customer=merge.source_id)
    record_evidence(
        returned,
        Evidence(EvidenceKind.MERGE_UNDONE, by=agent.display_name, merge_id=merge.pk),
    )
    Conversation.objects.filter(pk__in=merge.conversation_ids, customer=merge.target_id).update(
        customer=merge.source_id
    )
    Message.objects.filter(pk__in=merge.message_ids, author_customer=merge.target_id).update(
        author_customer=merge.source_id
    )
    if merge.moved_user_id is not None:
        target_user = Customer.objects.filter(pk=merge.target_id, user_id=merge.moved_user_id)
        if target_user.update(user=None):
            Customer.objects.filter(pk=merge.source_id).update(user_id=merge.moved_user_id)
    merge.undone_at = timezone.now()
    merge.undone_by = agent
    merge.save(update_fields=["undone_at", "undone_by"])
    log.info("inbox.unmerged merge=%s", merge.pk)
    return merge


@transaction.atomic
def merge_verified_email(actor: object, *, address: str) -> CustomerMerge | None:
    """Verified e-mail links identities automatically: when the holder of a verified e-mail
    identity and a community account whose address is verified are two customers, the identity's
    customer is merged into the account's (undoable like any merge).

    Never on an unverified address: an unverified identity or an unverified account changes
    nothing (anyone can write any From address or sign up with any address).
    """
    from schwarmdesk.accounts.models import Profile  # noqa: PLC0415 -- accounts imports inbox

    key = address.strip().lower()
    identity = (
        ChannelIdentity.objects.select_related("customer")
        .filter(kind=ChannelKind.EMAIL, external_id=key, is_verified=True)
        .first()
    )
    if identity is None:
        return None
    verified_users = Profile.objects.filter(
        is_email_verified=True, user__email__iexact=key, user__is_active=True
    ).values_list("user_id", flat=True)
    account_customer = (
        Customer.objects.filter(user_id__in=verified_users).exclude(pk=identity.customer_id).first()
    )
    if account_customer is None:
        return None
    merge = _merge(
        identity.customer,
        account_customer,
        merged_by=None,
        reason=_("verified e-mail address %(address)s") % {"address": key},
        evidence_kind=EvidenceKind.VERIFIED_EMAIL,
    )
    log.info("inbox.merged_verified_email merge=%s", merge.pk)
    return merge
