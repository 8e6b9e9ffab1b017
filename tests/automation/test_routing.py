"""Routing rules (order, each condition type, each action) and load-balanced assignment."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client

from schwarmdesk.automation.actions import BOT_USERNAME, assign_balanced, rule_matches
from schwarmdesk.automation.models import Assignment, RoutingRule, Triage
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.channels.models import Channel
from schwarmdesk.conversations.actions import start_conversation
from schwarmdesk.conversations.models import Conversation, Message, Priority, Status
from schwarmdesk.escalation.models import BusinessHours, OpeningInterval
from schwarmdesk.inbox.models import SlaPolicy
from schwarmdesk.people.actions import create_agent
from schwarmdesk.people.models import Agent, Customer, Skill, Team
from tests.automation.conftest import Receive

MONDAY_NOON = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # 12:00 in Berlin
SUNDAY_NOON = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)


def triage(**values: object) -> Triage:
    defaults: dict[str, object] = {
        "topic": "rechnung",
        "urgency": Priority.NORMAL,
        "sentiment": "unknown",
        "complexity": "agent",
        "language": "de",
    }
    return Triage(**{**defaults, **values})


def matches(rule: RoutingRule, **facts: object) -> bool:
    context: dict[str, object] = {
        "triage": triage(),
        "channel_kind": ChannelKind.EMAIL,
        "is_vip": False,
        "customer_language": "de",
        "moment": MONDAY_NOON,
    }
    return rule_matches(rule, **{**context, **facts})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("condition", "matching", "other"),
    [
        ({"topic": "Rechnung"}, {"triage": triage(topic="rechnung")}, {"triage": triage()}),
        (
            {"minimum_urgency": Priority.HIGH},
            {"triage": triage(urgency=Priority.URGENT)},
            {"triage": triage(urgency=Priority.NORMAL)},
        ),
        (
            {"sentiment": "negative"},
            {"triage": triage(sentiment="negative")},
            {"triage": triage(sentiment="unknown")},
        ),
        (
            {"complexity": "specialist"},
            {"triage": triage(complexity="specialist")},
            {"triage": triage(complexity="agent")},
        ),
        ({"channel_kind": "x"}, {"channel_kind": "x"}, {"channel_kind": "email"}),
        ({"customer_is_vip": True}, {"is_vip": True}, {"is_vip": False}),
        ({"customer_is_vip": False}, {"is_vip": False}, {"is_vip": True}),
        ({"customer_language": "en"}, {"customer_language": "en"}, {"customer_language": "de"}),
        ({"weekdays": [5, 6]}, {"moment": SUNDAY_NOON}, {"moment": MONDAY_NOON}),
    ],
)
def test_each_condition_type(
    db: None, condition: dict[str, object], matching: dict[str, object], other: dict[str, object]
) -> None:
    rule = RoutingRule(name="r", **condition)
    if condition.get("topic"):  # the other triage must have another topic
        other = {"triage": triage(topic="router")}

    assert matches(rule, **matching)
    assert not matches(rule, **other)


def test_business_hours_condition(db: None) -> None:
    # Given: opening hours Monday 8-18 (Berlin)
    hours = BusinessHours.objects.create()
    OpeningInterval.objects.create(
        hours=hours, weekday=0, opens_at=dt.time(8), closes_at=dt.time(18)
    )
    inside = RoutingRule(name="inside", hours="inside")
    outside = RoutingRule(name="outside", hours="outside")

    assert matches(inside, moment=MONDAY_NOON)
    assert not matches(outside, moment=MONDAY_NOON)
    assert not matches(inside, moment=SUNDAY_NOON)
    assert matches(outside, moment=SUNDAY_NOON)


def test_empty_rule_matches_everything(db: None) -> None:
    assert matches(RoutingRule(name="catch-all"))


def test_first_matching_rule_in_order_decides(
    receive_message: Receive, travel_team: Team, tech_team: Team
) -> None:
    # Given: a disabled rule first, then two matching rules in position order
    RoutingRule.objects.create(name="off", position=0, is_enabled=False, team=travel_team)
    RoutingRule.objects.create(name="catch-all", position=20, team=travel_team)
    outage = RoutingRule.objects.create(
        name="outage", position=10, minimum_urgency=Priority.HIGH, team=tech_team
    )

    # When
    message = receive_message("Kein Internet seit heute früh!")

    # Then: the outage rule (position 10) routed it
    conversation = Conversation.objects.get(pk=message.conversation_id)
    assert conversation.team == tech_team
    assert Triage.objects.get(message=message).routing_rule == outage


def test_angry_outage_goes_to_the_team_at_high_priority_with_tags_and_sla(
    receive_message: Receive, tech_team: Team, bob: Agent
) -> None:
    # Given: an outage rule with every action
    sla = SlaPolicy.objects.create(
        priority=Priority.URGENT,
        first_response_minutes=30,
        next_response_minutes=60,
        resolution_minutes=240,
    )
    RoutingRule.objects.create(
        name="Störung",
        minimum_urgency=Priority.HIGH,
        team=tech_team,
        skill=Skill.objects.get(name="router"),
        priority=Priority.HIGH,
        tags="störung, eskalation",
        sla_policy=sla,
        auto_reply="Wir kennen die Störung und arbeiten daran.",
    )

    # When: an angry outage complaint arrives
    message = receive_message("Frechheit! Seit Stunden kein Internet, der Router geht nicht.")

    # Then: team, priority (the SLA's), tags, auto-reply by the bot, and Bob assigned
    conversation = Conversation.objects.get(pk=message.conversation_id)
    assert conversation.team == tech_team
    assert conversation.priority == Priority.URGENT
    assert sorted(tag.name for tag in conversation.tags.all()) == ["eskalation", "störung"]
    assert conversation.assignee == bob
    [auto] = Message.objects.filter(conversation=conversation, direction="out")
    assert auto.body_text == "Wir kennen die Störung und arbeiten daran."
    assert auto.author_agent is not None and auto.author_agent.user.username == BOT_USERNAME
    codes = [reason["code"] for reason in Triage.objects.get(message=message).urgency_reasons]
    assert codes == ["outage", "angry"]


def test_without_a_matching_rule_only_the_priority_follows_urgency(
    receive_message: Receive, alice: Agent
) -> None:
    message = receive_message("Der Router funktioniert nicht.")

    conversation = Conversation.objects.get(pk=message.conversation_id)
    assert conversation.priority == Priority.HIGH
    assert conversation.team is None
    assert conversation.assignee is None


@pytest.fixture
def router_team(tech_team: Team) -> list[Agent]:
    """Three agents of the tech team with the router skill: Bob (de), Erik (de, en), Fay (en)."""
    erik = create_agent(
        None,
        username="erik",
        password="erik-password",
        display_name="Erik Engel",
        initials="EE",
        languages=["de", "en"],
        skills=["router"],
        teams=[tech_team],
    )
    fay = create_agent(
        None,
        username="fay",
        password="fay-password",
        display_name="Fay Fink",
        initials="FF",
        languages=["en"],
        skills=["router"],
        teams=[tech_team],
    )
    return [Agent.objects.get(user__username="bob"), erik, fay]


def new_conversation(customer: Customer, team: Team, language: str = "de") -> Conversation:
    return start_conversation(
        None, customer=customer, origin_channel="email", language=language, team=team
    )


def test_assignment_balances_open_conversations(
    bob: Agent, router_team: list[Agent], carol: Customer, tech_team: Team
) -> None:
    bob, erik, fay = router_team
    skill = Skill.objects.get(name="router")
    # Given: Bob has two open conversations, Erik one, and a solved one does not count
    for agent, status in ((bob, Status.OPEN), (bob, Status.PENDING), (erik, Status.OPEN)):
        conversation = new_conversation(carol, tech_team)
        Conversation.objects.filter(pk=conversation.pk).update(assignee=agent, status=status)
    solved = new_conversation(carol, tech_team)
    Conversation.objects.filter(pk=solved.pk).update(assignee=erik, status=Status.SOLVED)

    # When / Then: a German conversation goes to Erik (one open; Fay speaks no German)
    assert assign_balanced(new_conversation(carol, tech_team), skill=skill) == erik
    # Then Bob and Erik have two each; the tie goes to Bob, assigned least recently
    assert assign_balanced(new_conversation(carol, tech_team), skill=skill) == bob
    # An English one goes to Fay (no open conversations)
    assert assign_balanced(new_conversation(carol, tech_team, "en"), skill=skill) == fay
    assert Assignment.objects.count() == 3


def test_ties_go_to_the_least_recently_assigned(
    bob: Agent, router_team: list[Agent], carol: Customer, tech_team: Team
) -> None:
    bob, erik, _fay = router_team
    skill = Skill.objects.get(name="router")
    first = new_conversation(carol, tech_team)
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=UTC), tick=False):
        assert assign_balanced(first, skill=skill) == bob
    Conversation.objects.filter(pk=first.pk).update(status=Status.SOLVED)

    with time_machine.travel(datetime(2026, 11, 23, 9, 5, tzinfo=UTC), tick=False):
        chosen = assign_balanced(new_conversation(carol, tech_team), skill=skill)

    assert chosen == erik  # both have no open conversation; Erik was never assigned


def test_unavailable_agents_and_the_bot_are_never_assigned(
    bob: Agent, router_team: list[Agent], carol: Customer, tech_team: Team
) -> None:
    bob, erik, fay = router_team
    Agent.objects.filter(pk__in=[erik.pk, fay.pk]).update(is_available=False)

    assert assign_balanced(new_conversation(carol, tech_team)) == bob
    Agent.objects.filter(pk=bob.pk).update(is_available=False)
    assert assign_balanced(new_conversation(carol, tech_team)) is None


def test_rule_without_assignment_leaves_the_queue(
    receive_message: Receive, telegram: Channel, tech_team: Team, bob: Agent
) -> None:
    RoutingRule.objects.create(name="queue only", team=tech_team, assign_agent=False)

    message = receive_message("Frage zum Tarif")

    conversation = Conversation.objects.get(pk=message.conversation_id)
    assert (conversation.team, conversation.assignee) == (tech_team, None)


@pytest.mark.parametrize("weekdays", [[7], ["monday"], "0,1", [True]])
def test_weekdays_must_be_numbers_0_to_6(db: None, weekdays: object) -> None:
    with pytest.raises(ValidationError):
        RoutingRule(name="r", weekdays=weekdays).full_clean()


def test_admin_saves_a_rule(client: Client, tech_team: Team) -> None:
    admin = User.objects.create_superuser("root", "root@example.com", "root-password")
    client.force_login(admin)

    response = client.post(
        "/admin/automation/routingrule/add/",
        {
            "name": "Störung",
            "position": 1,
            "is_enabled": "on",
            "minimum_urgency": Priority.HIGH,
            "customer_is_vip": "unknown",
            "weekdays": "[0, 1, 2, 3, 4]",
            "team": tech_team.pk,
            "assign_agent": "on",
            "tags": "störung",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    rule = RoutingRule.objects.get()
    assert (rule.weekdays, rule.team, rule.customer_is_vip) == ([0, 1, 2, 3, 4], tech_team, None)
