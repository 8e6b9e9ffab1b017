"""The test cast: agents Alice (travel team) and Bob (tech team), customers Carol and Dave.

Carol and Dave must never see each other's data; Bob sits outside Alice's team.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import suppress

import pytest
import redis
from huey import Huey

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.conversations.actions import start_conversation
from schwarmdesk.conversations.models import Conversation
from schwarmdesk.core.queue import get_huey
from schwarmdesk.people.actions import create_agent, create_customer, create_team, link_identity
from schwarmdesk.people.models import Agent, Customer, Team
from schwarmdesk.search.lexical import clear_statistics

IS_CI = os.environ.get("CI", "").lower() == "true"


def require_service(reason: str) -> None:
    """Skip a test whose service is missing; under CI=true a missing service is a failure."""
    if IS_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(f"SERVICE MISSING: {reason}")


@pytest.fixture(autouse=True)
def fresh_lexical_statistics() -> None:
    """The lexical index caches N and the average length for a minute per process; each test
    starts from its own database, so it must not see another test's figures."""
    clear_statistics()


@pytest.fixture
def travel_team(db: None) -> Team:
    return create_team(None, name="Bahn & Reisen", slug="travel")


@pytest.fixture
def tech_team(db: None) -> Team:
    return create_team(None, name="Technik & Tarife", slug="tech")


@pytest.fixture
def alice(travel_team: Team) -> Agent:
    return create_agent(
        None,
        username="alice",
        password="alice-password",
        display_name="Alice Albers",
        initials="AA",
        languages=["de", "en"],
        skills=["refunds"],
        teams=[travel_team],
    )


@pytest.fixture
def bob(tech_team: Team) -> Agent:
    return create_agent(
        None,
        username="bob",
        password="bob-password",
        display_name="Bob Brandt",
        initials="BB",
        languages=["de"],
        skills=["router"],
        teams=[tech_team],
    )


@pytest.fixture
def carol(db: None) -> Customer:
    customer = create_customer(None, display_name="Carol Clausen", email="carol@example.com")
    link_identity(None, customer, kind=ChannelKind.X, external_id="1001", handle="@carol")
    return customer


@pytest.fixture
def dave(db: None) -> Customer:
    return create_customer(None, display_name="Dave Dorn", email="dave@example.org", language="en")


@pytest.fixture
def carol_conversation(carol: Customer, travel_team: Team) -> Conversation:
    return start_conversation(
        None,
        customer=carol,
        origin_channel=ChannelKind.EMAIL,
        subject="Erstattung für ausgefallenen Zug",
        language="de",
        team=travel_team,
    )


@pytest.fixture
def real_queue() -> Iterator[Huey]:
    """Switch Huey from immediate mode to its real storage for one test."""
    huey = get_huey()
    huey.immediate = False
    original = huey.storage
    huey.flush()
    try:
        yield huey
    finally:
        if huey.storage is not original:  # a test pointed the queue elsewhere (Redis)
            with suppress(redis.exceptions.ConnectionError):
                huey.flush()
            huey.storage = original
        huey.flush()
        huey.immediate = True
