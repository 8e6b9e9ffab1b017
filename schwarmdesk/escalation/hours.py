"""Business-time arithmetic: a deadline counted only in opening hours.

Pure functions over a :class:`Schedule` (weekly intervals, holidays, time zone), so the
arithmetic is testable without a database; :func:`load_schedule` reads the admin's rows.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from schwarmdesk.escalation.models import DEFAULT_TIME_ZONE, BusinessHours

# A deadline never looks further ahead than this (a calendar of only holidays).
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Schedule:
    """Opening intervals per weekday (0 = Monday); no intervals at all: open 24/7."""

    intervals: dict[int, list[tuple[dt.time, dt.time]]] = field(default_factory=dict)
    holidays: frozenset[dt.date] = frozenset()
    time_zone: str = DEFAULT_TIME_ZONE

    @property
    def always_open(self) -> bool:
        return not any(self.intervals.values())


def load_schedule() -> Schedule:
    hours = BusinessHours.objects.prefetch_related("intervals", "holidays").first()
    if hours is None:
        return Schedule()
    intervals: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for interval in hours.intervals.all():
        intervals.setdefault(interval.weekday, []).append((interval.opens_at, interval.closes_at))
    for day in intervals.values():
        day.sort()
    return Schedule(
        intervals=intervals,
        holidays=frozenset(holiday.date for holiday in hours.holidays.all()),
        time_zone=hours.time_zone,
    )


def add_business_time(
    start: dt.datetime, duration: dt.timedelta, schedule: Schedule
) -> dt.datetime:
    """The moment ``duration`` of opening time after ``start`` has passed (aware, UTC).

    Time outside the intervals and on holidays does not count; a deadline that ends exactly at
    closing time is due at closing time."""
    if start.tzinfo is None:
        raise ValueError("start must be aware")
    utc = dt.UTC
    if schedule.always_open:
        return start.astimezone(utc) + duration  # real time, not wall-clock time
    zone = zoneinfo.ZoneInfo(schedule.time_zone)
    cursor = start.astimezone(utc)
    remaining = duration
    day = start.astimezone(zone).date()
    for _offset in range(MAX_DAYS):
        if day not in schedule.holidays:
            for opens, closes in schedule.intervals.get(day.weekday(), []):
                opening = dt.datetime.combine(day, opens, tzinfo=zone).astimezone(utc)
                closing = dt.datetime.combine(day, closes, tzinfo=zone).astimezone(utc)
                if cursor >= closing:
                    continue
                begin = max(cursor, opening)
                available = closing - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
                cursor = closing
        day += dt.timedelta(days=1)
    raise ValueError("the business hours have no opening time within three years")
