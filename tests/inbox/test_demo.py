"""The demo data set gives the inbox SLA policies, canned replies and full queues."""

from __future__ import annotations

import datetime as dt

import pytest

from schwarmdesk.conversations.models import Priority
from schwarmdesk.demo.loader import load_demo
from schwarmdesk.inbox import queries
from schwarmdesk.inbox.demo import CANNED_REPLIES, load_inbox_demo
from schwarmdesk.inbox.models import CannedReply, SlaPolicy
from schwarmdesk.people.models import Agent

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


def test_inbox_demo_data_is_created_once() -> None:
    assert load_inbox_demo() == (4, len(CANNED_REPLIES))
    assert load_inbox_demo() == (4, len(CANNED_REPLIES))
    urgent = SlaPolicy.objects.get(priority=Priority.URGENT)
    assert (urgent.first_response_minutes, urgent.resolution_minutes) == (30, 240)
    assert all("{{agent.name}}" in reply.body for reply in CannedReply.objects.all())


def test_the_demo_fills_several_queues_for_an_agent() -> None:
    # given the whole demo data set
    load_demo(now=NOW)
    assert SlaPolicy.objects.count() == 4

    # then a demo agent has conversations of her own, of her team and unassigned ones, and an
    # administrator sees more than any one agent
    agent = Agent.objects.exclude(user__is_superuser=True).filter(teams__isnull=False).first()
    assert agent is not None
    counts = queries.queue_counts(agent)
    assert counts["teams"] > 0
    assert counts["unassigned"] > 0
    assert counts["all"] >= counts["teams"]
