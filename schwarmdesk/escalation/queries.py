"""Reading escalations: the staff queue and one question's state."""

from __future__ import annotations

from django.db.models import QuerySet

from schwarmdesk.escalation.models import Escalation, State
from schwarmdesk.knowledge.queries import agent_of
from schwarmdesk.people.actions import Actor


def list_open_escalations(actor: Actor) -> QuerySet[Escalation]:
    """Escalated questions and those waiting for their deadline (agents only; else none)."""
    if agent_of(actor) is None:
        return Escalation.objects.none()
    return (
        Escalation.objects.filter(state__in=[State.SCHEDULED, State.ESCALATED])
        .select_related("question", "question__author", "conversation")
        .order_by("-state", "due_at", "pk")
    )


def get_escalation(question_id: int) -> Escalation | None:
    return Escalation.objects.filter(question_id=question_id).first()
