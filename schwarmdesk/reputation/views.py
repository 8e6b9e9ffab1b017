"""Public reputation pages: the monthly leaderboard and the rules."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from schwarmdesk.reputation import queries
from schwarmdesk.reputation.rules import (
    ABILITY_LEVELS,
    ABILITY_NAMES,
    BADGES,
    LEVEL_THRESHOLDS,
    POINTS,
    Reason,
)


def _month(value: str) -> dt.date:
    """``YYYY-MM`` from the query string; the current month when missing or malformed."""
    try:
        year, month = (int(part) for part in value.split("-", 1))
        return dt.date(year, month, 1)
    except ValueError:
        now = timezone.localtime()
        return dt.date(now.year, now.month, 1)


@require_GET
def leaderboard(request: HttpRequest) -> HttpResponse:
    month = _month(request.GET.get("month", ""))
    return render(
        request,
        "reputation/leaderboard.html",
        {
            "month": month,
            "months": queries.months_with_points(),
            "rows": queries.leaderboard(month.year, month.month),
        },
    )


@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reputation/rules.html",
        {
            "points": [(Reason(reason).label, value) for reason, value in POINTS.items()],
            "levels": [
                (
                    level,
                    threshold,
                    [
                        ABILITY_NAMES[name]
                        for name, needed in ABILITY_LEVELS.items()
                        if needed == level
                    ],
                )
                for level, threshold in LEVEL_THRESHOLDS.items()
            ],
            "badges": list(BADGES.values()),
        },
    )
