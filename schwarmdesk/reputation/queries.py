"""Reading reputation: a member's summary and the monthly leaderboard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Sum
from django.utils import timezone

from schwarmdesk.reputation.models import BadgeAward, PointEvent, Profile
from schwarmdesk.reputation.rules import TrustLevel


@dataclass(frozen=True)
class ReputationSummary:
    points: int
    level: TrustLevel
    badges: list[BadgeAward]


def get_summary(user: Any) -> ReputationSummary:
    """Points, trust level and badges; an unknown or anonymous user has none."""
    pk = getattr(user, "pk", None)
    if pk is None:
        return ReputationSummary(points=0, level=TrustLevel.NEW, badges=[])
    points = Profile.objects.filter(user_id=pk).values_list("points", flat=True).first() or 0
    badges = list(BadgeAward.objects.filter(user_id=pk))
    return ReputationSummary(points=points, level=TrustLevel.for_points(points), badges=badges)


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    user: User
    points: int


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """The month's first instant and the next month's first instant, in the current zone."""
    zone = timezone.get_current_timezone()
    start = dt.datetime(year, month, 1, tzinfo=zone)
    following = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    return start, following


def leaderboard(year: int, month: int, *, limit: int = 20) -> list[LeaderboardRow]:
    """The members who earned the most points in the month (ties: earlier account first)."""
    start, end = month_bounds(year, month)
    totals = (
        PointEvent.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("user")
        .annotate(total=Sum("points"))
        .filter(total__gt=0)
        .order_by("-total", "user")[:limit]
    )
    rows = list(totals)
    users = User.objects.select_related("agent", "customer").in_bulk([row["user"] for row in rows])
    return [
        LeaderboardRow(rank=index, user=users[row["user"]], points=row["total"])
        for index, row in enumerate(rows, start=1)
    ]


def months_with_points(limit: int = 24) -> list[dt.date]:
    """The months (newest first) that have ledger rows, the current month always included."""
    now = timezone.localtime()
    current = dt.date(now.year, now.month, 1)
    months = {
        dt.date(stamp.year, stamp.month, 1)
        for stamp in PointEvent.objects.dates("created_at", "month", order="DESC")[:limit]
    }
    months.add(current)
    return sorted(months, reverse=True)[:limit]
