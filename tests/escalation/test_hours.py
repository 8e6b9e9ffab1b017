"""Business-time arithmetic: deadlines count only opening hours, skip holidays, and run
around the clock when no hours are set."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from schwarmdesk.escalation.hours import Schedule, add_business_time, load_schedule
from schwarmdesk.escalation.models import BusinessHours, Holiday, OpeningInterval

BERLIN = ZoneInfo("Europe/Berlin")
TWO_HOURS = dt.timedelta(hours=2)
WEEKDAYS_8_TO_18 = Schedule(intervals={day: [(dt.time(8), dt.time(18))] for day in range(5)})


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (berlin(2026, 11, 20, 17, 30), berlin(2026, 11, 23, 9, 30)),  # Friday evening → Monday
        (berlin(2026, 11, 23, 10, 0), berlin(2026, 11, 23, 12, 0)),  # inside the hours
        (berlin(2026, 11, 23, 6, 0), berlin(2026, 11, 23, 10, 0)),  # before opening
        (berlin(2026, 11, 23, 16, 0), berlin(2026, 11, 23, 18, 0)),  # ends at closing time
        (berlin(2026, 11, 21, 12, 0), berlin(2026, 11, 23, 10, 0)),  # Saturday
        (berlin(2026, 11, 23, 20, 0), berlin(2026, 11, 24, 10, 0)),  # after closing
    ],
)
def test_deadline_counts_opening_hours_only(start: dt.datetime, due: dt.datetime) -> None:
    assert add_business_time(start, TWO_HOURS, WEEKDAYS_8_TO_18) == due


def test_holidays_are_skipped() -> None:
    schedule = Schedule(
        intervals=WEEKDAYS_8_TO_18.intervals, holidays=frozenset({dt.date(2026, 11, 23)})
    )

    due = add_business_time(berlin(2026, 11, 20, 17, 30), TWO_HOURS, schedule)

    assert due == berlin(2026, 11, 24, 9, 30)


def test_a_lunch_break_does_not_count() -> None:
    schedule = Schedule(intervals={0: [(dt.time(8), dt.time(12)), (dt.time(13), dt.time(17))]})

    due = add_business_time(berlin(2026, 11, 23, 11, 0), TWO_HOURS, schedule)

    assert due == berlin(2026, 11, 23, 14, 0)


def test_without_hours_the_clock_runs_around_the_clock() -> None:
    due = add_business_time(berlin(2026, 11, 21, 23, 30), TWO_HOURS, Schedule())

    assert due == berlin(2026, 11, 22, 1, 30)
    assert due.tzinfo == dt.UTC


def test_the_clock_change_is_respected() -> None:
    # 25 October 2026 the clocks go back from 03:00 summer time to 02:00 winter time: four
    # hours after 23:00 summer time it is 02:00 winter time, not 03:00.
    due = add_business_time(berlin(2026, 10, 24, 23, 0), dt.timedelta(hours=4), Schedule())

    assert due == dt.datetime(2026, 10, 25, 1, 0, tzinfo=dt.UTC)
    assert due.astimezone(BERLIN).hour == 2


def test_a_calendar_without_any_open_day_is_refused() -> None:
    holidays = frozenset(dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(4 * 366))
    schedule = Schedule(intervals=WEEKDAYS_8_TO_18.intervals, holidays=holidays)

    with pytest.raises(ValueError, match="no opening time"):
        add_business_time(berlin(2026, 1, 1, 8, 0), TWO_HOURS, schedule)


def test_load_schedule_reads_the_admins_rows(office_hours: BusinessHours) -> None:
    Holiday.objects.create(hours=office_hours, date=dt.date(2026, 12, 24), name="Heiligabend")
    OpeningInterval.objects.create(
        hours=office_hours, weekday=5, opens_at=dt.time(10), closes_at=dt.time(14)
    )

    schedule = load_schedule()

    assert schedule.time_zone == "Europe/Berlin"
    assert schedule.intervals[0] == [(dt.time(8), dt.time(18))]
    assert schedule.intervals[5] == [(dt.time(10), dt.time(14))]
    assert 6 not in schedule.intervals
    assert schedule.holidays == frozenset({dt.date(2026, 12, 24)})


def test_no_business_hours_row_means_always_open(db: None) -> None:
    assert load_schedule().always_open
