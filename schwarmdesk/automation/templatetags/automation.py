"""Template tags: the triage box for the inbox and the admin, the bot label in the community."""

from __future__ import annotations

from typing import Any

from django import template

from schwarmdesk.automation import queries
from schwarmdesk.automation.models import BotAttempt, Triage
from schwarmdesk.automation.triage import reason_label as label_of
from schwarmdesk.community.models import Answer, Question
from schwarmdesk.conversations.models import Conversation

register = template.Library()


@register.filter
def percent(value: float) -> str:
    return f"{round(float(value) * 100)} %"


@register.filter
def reason_label(code: str) -> str:
    return label_of(code)


@register.inclusion_tag("automation/_triage.html")
def automation_triage(conversation: Conversation | None) -> dict[str, Any]:
    """``{% load automation %}{% automation_triage conversation %}`` on an agent's page only."""
    if conversation is None or conversation.pk is None:
        return {"triage": None}
    return {
        "triage": queries.latest_triage(conversation),
        "attempt": queries.latest_attempt(conversation),
    }


@register.inclusion_tag("automation/_triage.html")
def automation_question_triage(question: Question) -> dict[str, Any]:
    """The triage of a community question, for agents (the template checks who is looking)."""
    return {
        "triage": Triage.objects.select_related("routing_rule").filter(question=question).first(),
        "attempt": BotAttempt.objects.filter(question=question).order_by("-created_at").first(),
    }


@register.inclusion_tag("automation/_community_bot.html", takes_context=True)
def automation_bot_answer(context: dict[str, Any], answer: Answer) -> dict[str, Any]:
    """The "automatic answer" label and the asker's feedback buttons under a bot answer."""
    attempt = BotAttempt.objects.filter(community_answer=answer).first()
    user = context.get("user")
    is_asker = bool(user and user.is_authenticated and answer.question.author_id == user.pk)
    return {
        "attempt": attempt,
        "answer": answer,
        "is_asker": is_asker,
        "csrf_token": context.get("csrf_token"),
    }
