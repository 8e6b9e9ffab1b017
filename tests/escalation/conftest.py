"""Escalation fixtures: the community cast and the support team's business hours
(Monday to Friday, 8 to 18 o'clock in Berlin)."""

from __future__ import annotations

import datetime as dt

import pytest

from schwarmdesk.escalation.models import BusinessHours, OpeningInterval
from tests.community import conftest as community

billing = community.billing
router = community.router
carol_user = community.carol_user
dave_user = community.dave_user
question = community.question


@pytest.fixture
def office_hours(db: None) -> BusinessHours:
    hours = BusinessHours.objects.create(name="Support", time_zone="Europe/Berlin")
    for weekday in range(5):
        OpeningInterval.objects.create(
            hours=hours, weekday=weekday, opens_at=dt.time(8), closes_at=dt.time(18)
        )
    return hours
