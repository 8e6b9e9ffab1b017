"""Queues, their counts, filters, the bounded query count of the list, SLA due times."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.conversations.actions import add_message, start_conversation
from schwarmdesk.conversations.models import Conversation, Direction, Priority, Status, Visibility
from schwarmdesk.inbox import actions, queries
from schwarmdesk.inbox.models import SlaPolicy
from schwarmdesk.people.actions import create_customer
from schwarmdesk.people.models import Agent, Customer, Team

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def conversation(
    customer: Customer,
    subject: str,
    *,
    team: Team | None = None,
    assignee: Agent | None = None,
    status: str = Status.OPEN,
    priority: int = Priority.NORMAL,
    channel: str = ChannelKind.EMAIL,
    language: str = "de",
    tags: tuple[str, ...] = (),
) -> Conversation:
    case = start_conversation(
        None,
        customer=customer,
        origin_channel=channel,
        subject=subject,
        team=team,
        assignee=assignee,
        priority=priority,
        language=language,
        tags=tags,
    )
    add_message(
        None,
        case,
        direction=Direction.INBOUND,
        visibility=Visibility.PRIVATE,
        channel_kind=channel,
        body_text=f"Text zu {subject}",
        author_customer=customer,
    )
    if status != Status.OPEN:
        Conversation.objects.filter(pk=case.pk).update(status=status)
    return case


@pytest.fixture
def cases(
    *, alice: Agent, bob: Agent, carol: Customer, dave: Customer, travel_team: Team, tech_team: Team
) -> dict[str, Conversation]:
    return {
        "alice_travel": conversation(carol, "Zug", team=travel_team, assignee=alice),
        "travel_open": conversation(carol, "Bahncard", team=travel_team, tags=("bahn",)),
        "travel_pending": conversation(
            dave, "Hotel", team=travel_team, status=Status.PENDING, language="en"
        ),
        "travel_solved": conversation(carol, "Alt", team=travel_team, status=Status.SOLVED),
        "no_team": conversation(
            dave, "Router", channel=ChannelKind.TELEGRAM, priority=Priority.URGENT
        ),
        "tech": conversation(dave, "Tarif", team=tech_team),
        "tech_for_alice": conversation(dave, "Tarif für Alice", team=tech_team, assignee=alice),
        "bob_tech": conversation(carol, "Vertrag", team=tech_team, assignee=bob),
    }


def test_queue_counts_are_exact_per_agent(
    alice: Agent, bob: Agent, cases: dict[str, Conversation]
) -> None:
    # Alice: the travel team, conversations without a team, and what is assigned to her
    assert queries.queue_counts(alice) == {
        "mine": 2,  # Zug, Tarif für Alice (solved ones are not counted)
        "teams": 3,  # Zug, Bahncard, Hotel
        "unassigned": 3,  # Bahncard, Hotel, Router
        "escalated": 0,
        "all": 5,
    }
    assert queries.queue_counts(bob) == {
        "mine": 1,
        "teams": 3,  # Tarif, Tarif für Alice, Vertrag
        "unassigned": 2,  # Router, Tarif
        "escalated": 0,
        "all": 4,
    }


def test_an_administrator_counts_everything(ada: Agent, cases: dict[str, Conversation]) -> None:
    assert queries.queue_counts(ada) == {
        "mine": 0,
        "teams": 0,
        "unassigned": 4,
        "escalated": 0,
        "all": 7,
    }


def subjects(agent: Agent, **filters: object) -> set[str]:
    found = queries.list_conversations(agent, queries.Filters(**filters))  # type: ignore[arg-type]
    return {case.subject for case in found}


def test_queues_and_filters_list_the_right_conversations(
    alice: Agent, cases: dict[str, Conversation]
) -> None:
    assert subjects(alice, queue="mine") == {"Zug", "Tarif für Alice"}
    assert subjects(alice, queue="teams") == {"Zug", "Bahncard", "Hotel"}
    assert subjects(alice, queue="unassigned") == {"Bahncard", "Hotel", "Router"}
    assert subjects(alice, queue="all", status="solved") == {"Alt"}
    assert subjects(alice, queue="all", status="any") == {
        "Zug",
        "Bahncard",
        "Hotel",
        "Alt",
        "Router",
        "Tarif für Alice",
    }
    assert subjects(alice, queue="all", channel=ChannelKind.TELEGRAM) == {"Router"}
    assert subjects(alice, queue="all", priority=Priority.URGENT) == {"Router"}
    assert subjects(alice, queue="all", tag="bahn") == {"Bahncard"}
    assert subjects(alice, queue="all", language="en") == {"Hotel"}


def test_the_list_shows_row_details(
    client: Client, alice: Agent, cases: dict[str, Conversation]
) -> None:
    client.force_login(alice.user)
    html = client.get("/inbox/?queue=mine").content.decode()
    assert "Carol Clausen" in html
    assert cases["alice_travel"].reference in html
    assert "Text zu Zug" in html  # the last message's beginning
    assert '<span class="avatar" title="Alice Albers">AA</span>' in html
    assert "channel--email" in html
    assert 'id="count-mine">2</span>' in html


def test_the_list_query_count_does_not_grow_with_the_rows(
    client: Client,
    alice: Agent,
    carol: Customer,
    travel_team: Team,
    django_assert_max_num_queries: object,
) -> None:
    SlaPolicy.objects.create(
        priority=Priority.NORMAL,
        first_response_minutes=60,
        next_response_minutes=120,
        resolution_minutes=2880,
    )
    client.force_login(alice.user)

    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get("/inbox/?queue=teams").status_code == 200
        return len(captured)

    conversation(carol, "Eins", team=travel_team)
    few = count_queries()
    for number in range(12):
        customer = create_customer(None, display_name=f"Kunde {number}")
        conversation(customer, f"Fall {number}", team=travel_team, tags=("x", "y"))
    many = count_queries()

    assert many == few
    assert many <= 14


def test_the_list_fragment_has_a_bounded_query_count(
    client: Client,
    alice: Agent,
    cases: dict[str, Conversation],
    django_assert_num_queries: object,
) -> None:
    client.force_login(alice.user)
    client.get("/inbox/list/?queue=all")  # warm the session
    with django_assert_num_queries(8):  # type: ignore[operator]
        client.get("/inbox/list/?queue=all")


def test_search_finds_only_permitted_conversations(
    client: Client, alice: Agent, bob: Agent, cases: dict[str, Conversation]
) -> None:
    # the travel team's "Bahncard" is found by Alice, not by Bob
    client.force_login(alice.user)
    html = client.get("/inbox/list/?queue=all&q=Bahncard").content.decode()
    assert cases["travel_open"].reference in html
    assert cases["alice_travel"].reference not in html
    client.force_login(bob.user)
    html = client.get("/inbox/list/?queue=all&q=Bahncard").content.decode()
    assert cases["travel_open"].reference not in html


# SLA ---------------------------------------------------------------------------------------------


@pytest.fixture
def policy(db: None) -> SlaPolicy:
    return SlaPolicy.objects.create(
        priority=Priority.HIGH,
        first_response_minutes=60,
        next_response_minutes=30,
        resolution_minutes=480,
    )


def test_sla_first_response_is_due_and_breached_after_the_target(
    client: Client, alice: Agent, carol: Customer, travel_team: Team, policy: SlaPolicy
) -> None:
    # given a high-priority conversation opened at noon
    with time_machine.travel(NOON, tick=False):
        case = conversation(carol, "Eilig", team=travel_team, priority=Priority.HIGH)
    client.force_login(alice.user)

    # then at 12:59 the first response is due at 13:00, not breached
    with time_machine.travel(NOON + dt.timedelta(minutes=59), tick=False):
        [row] = queries.list_rows(list(queries.list_conversations(alice, queries.Filters("teams"))))
        assert row.due is not None
        assert row.due.kind == "first_response"
        assert row.due.due_at == NOON + dt.timedelta(hours=1)
        assert not row.is_breached
        assert row.waiting_since == case.messages.get().created_at
        assert (
            "conversation-row--breached" not in client.get("/inbox/?queue=teams").content.decode()
        )

    # and at 13:00 it is breached: highlighted in the list and in the conversation
    with time_machine.travel(NOON + dt.timedelta(hours=1), tick=False):
        [row] = queries.list_rows(list(queries.list_conversations(alice, queries.Filters("teams"))))
        assert row.is_breached
        assert "conversation-row--breached" in client.get("/inbox/?queue=teams").content.decode()
        html = client.get(f"/inbox/c/{case.pk}/").content.decode()
        assert "sla__item--breached" in html


def test_sla_next_response_and_resolution(
    alice: Agent, carol: Customer, travel_team: Team, policy: SlaPolicy
) -> None:
    with time_machine.travel(NOON, tick=False):
        case = conversation(carol, "Eilig", team=travel_team, priority=Priority.HIGH)
    # an agent note does not count as a response
    with time_machine.travel(NOON + dt.timedelta(minutes=10), tick=False):
        actions.add_note(alice, case.pk, body="intern")
    with time_machine.travel(NOON + dt.timedelta(minutes=11), tick=False):
        dues = queries.conversation_sla(case)
        assert [due.kind for due in dues] == ["first_response", "resolution"]
    # after the first reply, only the resolution target runs
    with time_machine.travel(NOON + dt.timedelta(minutes=20), tick=False):
        add_message(
            None,
            case,
            direction=Direction.OUTBOUND,
            visibility=Visibility.PRIVATE,
            channel_kind=ChannelKind.EMAIL,
            body_text="Antwort",
            author_agent=alice,
        )
        dues = queries.conversation_sla(case)
        assert [(d.kind, d.due_at) for d in dues] == [("resolution", NOON + dt.timedelta(hours=8))]
    # the customer writes again: the next response is due 30 minutes later
    with time_machine.travel(NOON + dt.timedelta(minutes=40), tick=False):
        add_message(
            None,
            case,
            direction=Direction.INBOUND,
            visibility=Visibility.PRIVATE,
            channel_kind=ChannelKind.EMAIL,
            body_text="Und?",
            author_customer=carol,
        )
        dues = queries.conversation_sla(case)
        assert [(d.kind, d.due_at) for d in dues] == [
            ("next_response", NOON + dt.timedelta(minutes=70)),
            ("resolution", NOON + dt.timedelta(hours=8)),
        ]
    # a solved conversation has no running target
    actions.change_status(alice, case.pk, status=Status.SOLVED)
    case.refresh_from_db()
    assert queries.conversation_sla(case) == []
    # a priority without a policy has none either
    assert timezone.now() > NOON


def test_the_conversation_page_query_count_does_not_grow_with_the_thread(
    client: Client, alice: Agent, carol: Customer, travel_team: Team
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = conversation(carol, "Lang", team=travel_team)
    client.force_login(alice.user)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/inbox/c/{case.pk}/").status_code == 200
            assert client.get(f"/inbox/c/{case.pk}/live/").status_code == 200
        return len(captured)

    few = count_queries()
    for number in range(6):
        actions.add_note(alice, case.pk, body=f"Notiz {number} für @AA")
        add_message(
            None,
            case,
            direction=Direction.INBOUND,
            visibility=Visibility.PRIVATE,
            channel_kind=ChannelKind.EMAIL,
            body_text=f"Nachricht {number}",
            author_customer=carol,
        )
    assert count_queries() == few
