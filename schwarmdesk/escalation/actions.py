"""Escalation actions: open a conversation in the agents' queue for every question whose
deadline passed without help, and post an agent's reply from that conversation publicly.

``escalate_due(now)`` runs every minute (:mod:`.tasks`); each escalation is handled in its own
transaction, rechecked under a row lock, and the one-to-one ``Escalation.conversation`` keeps
it to one conversation per question however often the task runs.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.community import actions as community
from schwarmdesk.community.models import Answer, Question
from schwarmdesk.conversations.actions import add_message, start_conversation
from schwarmdesk.conversations.models import Conversation, Direction, Message, Visibility
from schwarmdesk.core.errors import Forbidden, Invalid, NotFound
from schwarmdesk.escalation.models import Escalation, State
from schwarmdesk.escalation.scheduling import cancel, cancel_reason
from schwarmdesk.knowledge.queries import agent_of
from schwarmdesk.people.actions import Actor, create_customer
from schwarmdesk.people.models import Customer

log = logging.getLogger(__name__)

BATCH = 100


def escalate_due(now: dt.datetime | None = None) -> list[Escalation]:
    """Escalate (or cancel, when the community helped meanwhile) every scheduled escalation
    due at ``now``; returns those handled."""
    moment = now or timezone.now()
    due = list(
        Escalation.objects.filter(state=State.SCHEDULED, due_at__lte=moment)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    handled = []
    for pk in due:
        escalation = _escalate_one(pk, moment)
        if escalation is not None:
            handled.append(escalation)
    return handled


@transaction.atomic
def _escalate_one(pk: int, now: dt.datetime) -> Escalation | None:
    escalation = (
        Escalation.objects.select_for_update()
        .filter(pk=pk, state=State.SCHEDULED, due_at__lte=now)
        .first()
    )
    if escalation is None:  # handled by a concurrent run
        return None
    question = Question.objects.select_related("author").get(pk=escalation.question_id)
    reason = cancel_reason(question)
    # Claim the row with a conditional write: one run wins even where SELECT ... FOR UPDATE is
    # a no-op (SQLite), so a question never gets two conversations.
    claimed = Escalation.objects.filter(pk=pk, state=State.SCHEDULED).update(
        state=State.CANCELLED if reason is not None else State.ESCALATED
    )
    if not claimed:
        return None
    if reason is not None:
        return cancel(escalation, reason)
    return _open_conversation(escalation, question, now)


def _customer_of(user: User) -> Customer:
    """The asker's customer record; an account without one gets one now."""
    customer: Customer | None = Customer.objects.filter(user=user).first()
    if customer is None:
        customer = create_customer(
            None, display_name=user.get_full_name() or user.get_username(), email=user.email
        )
        Customer.objects.filter(pk=customer.pk).update(user=user)
    return customer


def question_url(question: Question) -> str:
    return f"{settings.BASE_URL}{question.get_absolute_url()}"


def _open_conversation(escalation: Escalation, question: Question, now: dt.datetime) -> Escalation:
    customer = _customer_of(question.author)
    conversation = start_conversation(
        None,
        customer=customer,
        origin_channel=ChannelKind.COMMUNITY,
        subject=question.title,
        language=question.language,
        tags=["community"],
    )
    with override(question.language):
        link = _("Community question: %(url)s") % {"url": question_url(question)}
    body = f"{question.title}\n\n{question.body}".strip() + f"\n\n{link}"
    add_message(
        None,
        conversation,
        direction=Direction.INBOUND,
        visibility=Visibility.PUBLIC,
        channel_kind=ChannelKind.COMMUNITY,
        body_text=body,
        external_id=f"community-question-{question.pk}",
        author_customer=customer,
        received_at=question.created_at,
    )
    escalation.state = State.ESCALATED
    escalation.conversation = conversation
    escalation.escalated_at = now
    escalation.save(update_fields=["state", "conversation", "escalated_at"])
    log.info("escalation.escalated question=%s conversation=%s", question.pk, conversation.pk)
    return escalation


def access_escalation(
    actor: Actor, conversation_id: int, *, for_update: bool = False
) -> Escalation:
    """The escalation behind a conversation, for agents; NotFound for everyone else."""
    if agent_of(actor) is None:
        raise NotFound("no such escalation")
    escalations = Escalation.objects.select_related("question", "conversation")
    if for_update:
        escalations = escalations.select_for_update(of=("self",))
    escalation = escalations.filter(conversation_id=conversation_id).first()
    if escalation is None:
        raise NotFound("no such escalation")
    return escalation


@transaction.atomic
def answer_escalation(actor: Actor, conversation_id: int, *, body: str) -> Answer:
    """An agent's public reply to an escalated question: stored in the conversation and
    posted under the question as the agent's official answer, together or not at all.

    Internal notes go through the conversation's own actions and are never posted."""
    agent = agent_of(actor)
    if agent is None or not isinstance(actor, User):
        raise Forbidden(_("Only agents answer escalated questions."))
    escalation = access_escalation(actor, conversation_id, for_update=True)
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise Invalid(_("Please write something first."))
    answer = community.post_answer(actor, escalation.question_id, body=text)
    conversation = Conversation.objects.get(pk=conversation_id)
    add_message(
        actor,
        conversation,
        direction=Direction.OUTBOUND,
        visibility=Visibility.PUBLIC,
        channel_kind=ChannelKind.COMMUNITY,
        body_text=f"{text}\n\n{question_url(escalation.question)}#answer-{answer.pk}",
        external_id=f"community-answer-{answer.pk}",
        author_agent=agent,
        sent_at=answer.created_at,
    )
    log.info(
        "escalation.answered question=%s conversation=%s answer=%s",
        escalation.question_id,
        conversation_id,
        answer.pk,
    )
    return answer


@transaction.atomic
def note_escalation(actor: Actor, conversation_id: int, *, body: str) -> Message:
    """An internal note on an escalated question's conversation: agents only, never public."""
    agent = agent_of(actor)
    if agent is None:
        raise Forbidden(_("Only agents answer escalated questions."))
    access_escalation(actor, conversation_id, for_update=True)  # agents, escalated only
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise Invalid(_("Please write something first."))
    conversation = Conversation.objects.get(pk=conversation_id)
    return add_message(
        actor,
        conversation,
        direction=Direction.OUTBOUND,
        visibility=Visibility.INTERNAL,
        channel_kind=ChannelKind.COMMUNITY,
        body_text=text,
        author_agent=agent,
    )
