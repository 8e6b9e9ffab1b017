"""The escalation timer of a community question: scheduled when the question is posted,
cancelled as soon as the community helped (an accepted or upvoted answer, an agent's answer,
the question solved or removed).

The community's actions call :func:`question_posted` and :func:`recheck` inside their own
transaction; this module imports no community actions, so the import goes one way.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from schwarmdesk.community.models import Answer, Question, QuestionStatus, Visibility, Vote
from schwarmdesk.escalation.hours import add_business_time, load_schedule
from schwarmdesk.escalation.models import (
    DEFAULT_DEADLINE_MINUTES,
    CancelReason,
    Escalation,
    EscalationPolicy,
    State,
)

log = logging.getLogger(__name__)


def deadline_for(question: Question) -> tuple[bool, dt.timedelta]:
    """Whether the question's category escalates at all, and after how much business time."""
    policy = EscalationPolicy.objects.filter(category_id=question.category_id).first()
    if policy is None:
        return True, dt.timedelta(minutes=DEFAULT_DEADLINE_MINUTES)
    return policy.is_enabled, dt.timedelta(minutes=policy.deadline_minutes)


def question_posted(question: Question) -> Escalation | None:
    """Schedule the escalation of a new question; none when its category never escalates."""
    is_enabled, deadline = deadline_for(question)
    if not is_enabled:
        return None
    due_at = add_business_time(question.created_at, deadline, load_schedule())
    escalation, _created = Escalation.objects.get_or_create(
        question=question, defaults={"due_at": due_at}
    )
    log.info("escalation.scheduled question=%s due=%s", question.pk, due_at.isoformat())
    return escalation


def cancel_reason(question: Question) -> CancelReason | None:
    """Why the question no longer needs an agent, or ``None`` if it still does."""
    if question.visibility != Visibility.VISIBLE:
        return CancelReason.REMOVED
    if question.accepted_answer_id is not None:
        return CancelReason.ACCEPTED
    visible_answers = Answer.objects.filter(question=question, visibility=Visibility.VISIBLE)
    if Vote.objects.filter(answer__in=visible_answers, value=1).exists():
        return CancelReason.UPVOTED
    if visible_answers.filter(is_official=True).exists():
        return CancelReason.OFFICIAL
    if question.status == QuestionStatus.SOLVED:
        return CancelReason.SOLVED
    return None


@transaction.atomic
def recheck(question_id: int) -> Escalation | None:
    """Cancel the question's scheduled escalation when the community has helped."""
    escalation = (
        Escalation.objects.select_for_update()
        .filter(question_id=question_id, state=State.SCHEDULED)
        .first()
    )
    if escalation is None:
        return None
    question = Question.objects.get(pk=question_id)
    reason = cancel_reason(question)
    if reason is not None:
        cancel(escalation, reason)
    return escalation


def cancel(escalation: Escalation, reason: CancelReason) -> Escalation:
    escalation.state = State.CANCELLED
    escalation.cancel_reason = reason
    escalation.cancelled_at = timezone.now()
    escalation.save(update_fields=["state", "cancel_reason", "cancelled_at"])
    log.info("escalation.cancelled question=%s reason=%s", escalation.question_id, reason)
    return escalation
