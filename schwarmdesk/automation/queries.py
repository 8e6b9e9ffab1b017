"""Reads shared by the automation's pages, the inbox include and the admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from schwarmdesk.automation.models import (
    BotAttempt,
    CandidateStatus,
    Feedback,
    KnowledgeCandidate,
    Triage,
)
from schwarmdesk.conversations.models import Conversation
from schwarmdesk.knowledge.models import Article
from schwarmdesk.knowledge.models import Status as ArticleStatus
from schwarmdesk.people.models import Agent


def latest_triage(conversation: Conversation) -> Triage | None:
    return (
        Triage.objects.select_related("routing_rule")
        .filter(conversation=conversation)
        .order_by("-created_at", "-pk")
        .first()
    )


def latest_attempt(conversation: Conversation) -> BotAttempt | None:
    return (
        BotAttempt.objects.filter(conversation=conversation).order_by("-created_at", "-pk").first()
    )


def list_open_candidates(agent: Agent) -> list[KnowledgeCandidate]:
    """Open knowledge candidates from conversations the agent may see."""
    candidates = KnowledgeCandidate.objects.select_related("conversation", "solved_by").filter(
        status=CandidateStatus.OPEN
    )
    if not agent.user.is_superuser:
        candidates = candidates.filter(
            Q(conversation__team__isnull=True)
            | Q(conversation__team__in=agent.teams.all())
            | Q(conversation__assignee=agent)
        )
    return list(candidates[:100])


def list_variant_articles(candidate: KnowledgeCandidate) -> list[Article]:
    """Published articles in the other language (to link the new article as their variant)."""
    other = "en" if candidate.language == "de" else "de"
    return list(
        Article.objects.filter(language=other, status=ArticleStatus.PUBLISHED).order_by("title")[
            :200
        ]
    )


@dataclass(frozen=True)
class DayStats:
    day: date
    attempts: int
    answered: int
    solved: int
    person: int

    @property
    def answer_rate(self) -> float:
        return self.answered / self.attempts if self.attempts else 0.0

    @property
    def helpfulness(self) -> float | None:
        rated = self.solved + self.person
        return self.solved / rated if rated else None


def daily_bot_stats(days: int = 30) -> list[DayStats]:
    """The bot's answer rate and helpfulness per day, oldest first, every day present."""
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    rows = (
        BotAttempt.objects.filter(created_at__date__gte=start)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(
            attempts=Count("pk"),
            answered=Count("pk", filter=Q(is_answered=True)),
            solved=Count("pk", filter=Q(feedback=Feedback.SOLVED)),
            person=Count("pk", filter=Q(feedback=Feedback.PERSON)),
        )
    )
    by_day: dict[date, dict[str, int]] = {
        row["day"]: {name: int(row[name]) for name in ("attempts", "answered", "solved", "person")}
        for row in rows
    }
    stats = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        row: dict[str, int] = by_day.get(day, {})
        stats.append(
            DayStats(
                day=day,
                attempts=row.get("attempts", 0),
                answered=row.get("answered", 0),
                solved=row.get("solved", 0),
                person=row.get("person", 0),
            )
        )
    return stats


def chart_points(stats: list[DayStats], *, width: int = 600, height: int = 200) -> dict[str, str]:
    """SVG polyline points for the answer rate and the helpfulness (0-100 % on the y axis)."""
    step = width / max(len(stats) - 1, 1)

    def y(value: float) -> str:
        return f"{height - value * height:.1f}"

    rate = " ".join(f"{i * step:.1f},{y(day.answer_rate)}" for i, day in enumerate(stats))
    helpful = " ".join(
        f"{i * step:.1f},{y(day.helpfulness)}"
        for i, day in enumerate(stats)
        if day.helpfulness is not None
    )
    return {"rate": rate, "helpful": helpful}
