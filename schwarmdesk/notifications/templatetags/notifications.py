"""``{% follow_button question %}`` on the question page."""

from __future__ import annotations

from typing import Any

from django import template

from schwarmdesk.community.models import Question
from schwarmdesk.notifications.actions import is_following

register = template.Library()


@register.inclusion_tag("notifications/_follow.html", takes_context=True)
def follow_button(context: dict[str, Any], question: Question) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "question": question,
        "is_following": is_following(user, question),
        "user": user,
        "csrf_token": context.get("csrf_token"),
    }
