"""Reads for the moderator queue: posts with open flags or open holds, and recent decisions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User

from schwarmdesk.community.models import Question
from schwarmdesk.moderation.actions import Post, question_of, require_moderator
from schwarmdesk.moderation.models import Decision, Flag, FlagReason, Hold
from schwarmdesk.moderation.screening import reason_label
from schwarmdesk.people.actions import Actor

QUEUE_LIMIT = 100
EXCERPT = 300


@dataclass
class QueueItem:
    """One post waiting for a moderator, with everything that brought it here."""

    target: str
    post: Post
    author: User
    created_at: datetime
    flags: list[Flag] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.target}-{self.post.pk}"

    @property
    def title(self) -> str:
        question = self.question
        return question.title if question is not None else ""

    @property
    def question(self) -> Question | None:
        return question_of(self.post)

    @property
    def excerpt(self) -> str:
        body = str(self.post.body)
        return body if len(body) <= EXCERPT else body[:EXCERPT].rstrip() + " …"

    @property
    def url(self) -> str:
        question = self.question
        if question is None:
            return ""
        anchor = {"question": "", "answer": f"#answer-{self.post.pk}"}.get(
            self.target, f"#comment-{self.post.pk}"
        )
        return question.get_absolute_url() + anchor

    @property
    def flag_summary(self) -> list[tuple[str, int]]:
        labels = dict(FlagReason.choices)
        counts = Counter(flag.reason for flag in self.flags)
        return [(str(labels.get(reason, reason)), count) for reason, count in counts.most_common()]

    @property
    def flag_texts(self) -> list[str]:
        return [flag.text for flag in self.flags if flag.text]

    @property
    def hold_reasons(self) -> list[str]:
        return [reason_label(code) for hold in self.holds for code in hold.reasons]

    @property
    def scores(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for hold in self.holds:
            merged.update(hold.scores)
        return merged


def _post_related() -> tuple[str, ...]:
    return (
        "question__author",
        "question__category",
        "answer__author",
        "answer__question",
        "comment__author",
        "comment__question",
        "comment__answer__question",
    )


def list_queue(actor: Actor) -> list[QueueItem]:
    """Posts with open flags or open holds, the most recent first (moderators only)."""
    require_moderator(actor)
    items: dict[str, QueueItem] = {}

    def item_for(row: Flag | Hold) -> QueueItem:
        post = row.post
        key = f"{row.target_kind}-{post.pk}"
        if key not in items:
            items[key] = QueueItem(
                target=row.target_kind, post=post, author=post.author, created_at=row.created_at
            )
        item = items[key]
        item.created_at = max(item.created_at, row.created_at)
        return item

    flags = Flag.objects.filter(is_open=True).select_related(*_post_related())
    for flag in flags.order_by("-created_at")[: QUEUE_LIMIT * 5]:
        item_for(flag).flags.append(flag)
    holds = Hold.objects.filter(is_open=True).select_related(*_post_related())
    for hold in holds.order_by("-created_at")[:QUEUE_LIMIT]:
        item_for(hold).holds.append(hold)
    ordered = sorted(items.values(), key=lambda item: item.created_at, reverse=True)
    return ordered[:QUEUE_LIMIT]


def list_decisions(actor: Actor, *, limit: int = 20) -> list[Decision]:
    """The latest moderation decisions, for the record on the queue page."""
    require_moderator(actor)
    return list(
        Decision.objects.select_related("moderator", *_post_related()).order_by(
            "-created_at", "-pk"
        )[:limit]
    )
