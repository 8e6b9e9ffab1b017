"""``{% escalation_of question as escalation %}`` for the staff panel on the question page."""

from __future__ import annotations

from typing import Any

from django import template

from schwarmdesk.escalation.models import Escalation
from schwarmdesk.escalation.queries import get_escalation

register = template.Library()


@register.simple_tag
def escalation_of(question: Any) -> Escalation | None:
    return get_escalation(question.pk)
