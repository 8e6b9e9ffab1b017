"""Assignment (manual and round-robin), status, canned replies, collision warning, merges."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.conversations.actions import start_conversation
from schwarmdesk.conversations.models import Conversation, Message, Status
from schwarmdesk.core.errors import Invalid, NotFound
from schwarmdesk.inbox import actions, queries
from schwarmdesk.inbox.models import CannedReply, CustomerMerge
from schwarmdesk.people.actions import create_agent, create_customer, link_identity
from schwarmdesk.people.models import Agent, ChannelIdentity, Customer, Team

pytestmark = pytest.mark.django_db


def travel_agent(username: str, initials: str, team: Team) -> Agent:
    return create_agent(
        None,
        username=username,
        password=f"{username}-password",
        display_name=username.title(),
        initials=initials,
        teams=[team],
    )


def test_round_robin_takes_available_team_agents_in_turn(
    alice: Agent, bob: Agent, travel_team: Team, carol: Customer
) -> None:
    # given three travel agents, one of them away
    chris = travel_agent("chris", "CC", travel_team)
    dora = travel_agent("dora", "DO", travel_team)
    actions.set_availability(chris, is_available=False)
    cases = [
        start_conversation(None, customer=carol, origin_channel="email", team=travel_team)
        for _ in range(5)
    ]

    # when five conversations are given out by round-robin
    order = [actions.assign_round_robin(alice, case.pk).assignee_id for case in cases]

    # then Alice and Dora alternate; Chris (away) and Bob (other team) get none
    assert order == [alice.pk, dora.pk, alice.pk, dora.pk, alice.pk]

    # when Chris comes back, he joins the turn after the last one
    actions.set_availability(chris, is_available=True)
    extra = start_conversation(None, customer=carol, origin_channel="email", team=travel_team)
    assert actions.assign_round_robin(alice, extra.pk).assignee_id == chris.pk


def test_round_robin_needs_a_team_and_an_available_agent(
    alice: Agent, carol: Customer, travel_team: Team
) -> None:
    without_team = start_conversation(None, customer=carol, origin_channel="email")
    with pytest.raises(Invalid):
        actions.assign_round_robin(alice, without_team.pk)
    actions.set_availability(alice, is_available=False)
    case = start_conversation(None, customer=carol, origin_channel="email", team=travel_team)
    with pytest.raises(Invalid):
        actions.assign_round_robin(alice, case.pk)
    case.refresh_from_db()
    assert case.assignee is None


def test_manual_assignment_status_priority_and_tags_from_the_page(
    client: Client, alice: Agent, bob: Agent, carol_chat: Conversation
) -> None:
    client.force_login(alice.user)
    client.post(f"/inbox/c/{carol_chat.pk}/assign/", {"assignee": str(bob.pk)})
    carol_chat.refresh_from_db()
    assert carol_chat.assignee == bob
    client.post(f"/inbox/c/{carol_chat.pk}/assign/", {"assignee": "me"})
    client.post(
        f"/inbox/c/{carol_chat.pk}/update/",
        {"status": "pending", "priority": "3", "tags": "Erstattung, bahn"},
    )
    carol_chat.refresh_from_db()
    assert carol_chat.assignee == alice
    assert carol_chat.status == Status.PENDING
    assert carol_chat.priority == 3
    assert sorted(carol_chat.tags.values_list("name", flat=True)) == ["bahn", "erstattung"]
    client.post(f"/inbox/c/{carol_chat.pk}/assign/", {"assignee": ""})
    carol_chat.refresh_from_db()
    assert carol_chat.assignee is None


def test_an_unknown_status_is_refused_with_a_message(
    client: Client, alice: Agent, carol_chat: Conversation
) -> None:
    client.force_login(alice.user)
    response = client.post(f"/inbox/c/{carol_chat.pk}/update/", {"status": "weg"}, follow=True)
    carol_chat.refresh_from_db()
    assert carol_chat.status == Status.OPEN
    assert "Unbekannter Status: weg" in response.content.decode()


def test_canned_reply_variables_are_filled_in(
    client: Client, alice: Agent, carol_chat: Conversation
) -> None:
    # given a canned reply with every variable, and one the inbox does not know
    canned = CannedReply.objects.create(
        title="Erstattung",
        body="Hallo {{customer.name}}, zu {{ conversation.reference }}: "
        "wir erstatten. {{unknown.thing}} Viele Grüße, {{agent.name}}",
    )

    # then the inbox fills in the customer's and the agent's name and the reference
    text = queries.render_canned(canned, conversation=carol_chat, agent=alice)
    assert text == (
        f"Hallo Carol Clausen, zu {carol_chat.reference}: wir erstatten. "
        "{{unknown.thing}} Viele Grüße, Alice Albers"
    )
    # and offers the filled-in text on the conversation page, for the reply box
    client.force_login(alice.user)
    html = client.get(f"/inbox/c/{carol_chat.pk}/").content.decode()
    assert f'data-text="Hallo Carol Clausen, zu {carol_chat.reference}: wir erstatten.' in html


def test_the_second_agent_sees_that_the_first_is_replying(
    client: Client, alice: Agent, ada: Agent, carol_chat: Conversation
) -> None:
    now = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
    # given Alice is typing a reply
    with time_machine.travel(now, tick=False):
        client.force_login(alice.user)
        assert client.post(f"/inbox/c/{carol_chat.pk}/replying/").status_code == 204
        # then she sees no warning about herself
        html = client.get(f"/inbox/c/{carol_chat.pk}/live/").content.decode()
        assert "collision__warning" not in html

    # when Ada opens the same conversation a few seconds later
    with time_machine.travel(now + dt.timedelta(seconds=10), tick=False):
        client.force_login(ada.user)
        html = client.get(f"/inbox/c/{carol_chat.pk}/").content.decode()
        # then she is warned, on the page and in the refreshed fragment
        assert '<p class="collision__warning">Alice Albers ' in html
        html = client.get(f"/inbox/c/{carol_chat.pk}/live/").content.decode()
        assert '<p class="collision__warning">Alice Albers ' in html
        assert queries.list_other_replying(ada, carol_chat) == [alice]

    # and the warning goes away when Alice stops (or after the presence expires)
    with time_machine.travel(now + dt.timedelta(seconds=31), tick=False):
        assert queries.list_other_replying(ada, carol_chat) == []


def test_sending_the_reply_ends_the_presence(
    client: Client, alice: Agent, ada: Agent, carol_chat: Conversation
) -> None:
    client.force_login(alice.user)
    client.post(f"/inbox/c/{carol_chat.pk}/replying/")
    assert queries.list_other_replying(ada, carol_chat) == [alice]
    client.post(f"/inbox/c/{carol_chat.pk}/reply/", {"body": "Erledigt."})
    assert queries.list_other_replying(ada, carol_chat) == []


def test_bob_cannot_mark_himself_replying_on_another_teams_conversation(
    client: Client, bob: Agent, alice: Agent, carol_chat: Conversation
) -> None:
    client.force_login(bob.user)
    assert client.post(f"/inbox/c/{carol_chat.pk}/replying/").status_code == 404
    assert queries.list_other_replying(alice, carol_chat) == []


# Merging customers -----------------------------------------------------------------------------


State = tuple[list[int], list[int], list[int], int | None]


def state(*customers: Customer) -> dict[int, State]:
    result: dict[int, State] = {}
    for customer in customers:
        customer.refresh_from_db()
        result[customer.pk] = (
            sorted(ChannelIdentity.objects.filter(customer=customer).values_list("pk", flat=True)),
            sorted(Conversation.objects.filter(customer=customer).values_list("pk", flat=True)),
            sorted(Message.objects.filter(author_customer=customer).values_list("pk", flat=True)),
            customer.user_id,
        )
    return result


def test_merge_moves_everything_and_unmerge_restores_it_exactly(
    client: Client, alice: Agent, carol: Customer, carol_user: object, carol_chat: Conversation
) -> None:
    # given Carol's second customer record, made when she wrote from Mastodon
    other = create_customer(None, display_name="carol@mastodon")
    link_identity(None, other, kind=ChannelKind.MASTODON, external_id="42", is_verified=True)
    mastodon_case = start_conversation(
        None, customer=other, origin_channel=ChannelKind.MASTODON, subject="Toot"
    )
    before = state(carol, other)

    # when Alice merges the Mastodon record into Carol from the conversation page
    client.force_login(alice.user)
    response = client.post(
        f"/inbox/c/{carol_chat.pk}/merge/", {"source": str(other.pk), "reason": "gleiche Person"}
    )
    assert response.status_code == 302

    # then Carol has every identity and conversation, the other record nothing
    merge = CustomerMerge.objects.get()
    assert (merge.source, merge.target, merge.merged_by, merge.reason) == (
        other,
        carol,
        alice,
        "gleiche Person",
    )
    after = state(carol, other)
    assert after[other.pk] == ([], [], [], None)
    assert set(after[carol.pk][0]) == set(before[carol.pk][0]) | set(before[other.pk][0])
    assert mastodon_case.pk in after[carol.pk][1]

    # and the sidebar shows the merge (who, why) and one timeline with both conversations
    html = client.get(f"/inbox/c/{carol_chat.pk}/").content.decode()
    assert "gleiche Person" in html
    assert "Alice Albers" in html
    assert mastodon_case.reference in html
    assert "Mastodon" in html

    # when the merge is undone
    response = client.post(f"/inbox/c/{carol_chat.pk}/merges/{merge.pk}/undo/")
    assert response.status_code == 302

    # then everything is where it was, and the record says who undid it
    assert state(carol, other) == before
    merge.refresh_from_db()
    assert merge.undone_by == alice
    assert merge.undone_at is not None
    with pytest.raises(Invalid):
        actions.unmerge_customers(alice, merge.pk)


def test_merge_moves_the_community_account_to_a_customer_without_one(
    alice: Agent, carol: Customer, carol_user: User
) -> None:
    # given Carol (with a community account) and a second record without one
    other = create_customer(None, display_name="Carol per Telegram")
    before = state(carol, other)

    # when Carol is merged into the other record, the account moves along; unmerge moves it back
    merge = actions.merge_customers(alice, carol.pk, other.pk, reason="Telegram")
    other.refresh_from_db()
    assert other.user == carol_user
    assert merge.moved_user_id == carol_user.pk
    actions.unmerge_customers(alice, merge.pk)
    assert state(carol, other) == before


def test_a_customer_cannot_be_merged_into_itself_or_a_missing_one(
    alice: Agent, carol: Customer
) -> None:
    with pytest.raises(Invalid):
        actions.merge_customers(alice, carol.pk, carol.pk)
    with pytest.raises(NotFound):
        actions.merge_customers(alice, carol.pk, 999_999)
    assert CustomerMerge.objects.count() == 0


@pytest.mark.parametrize("role", ["anonymous", "carol", "bob"])
def test_merge_is_refused_to_everyone_but_the_teams_agents(
    *,
    client: Client,
    request: pytest.FixtureRequest,
    carol: Customer,
    dave: Customer,
    carol_chat: Conversation,
    role: str,
) -> None:
    if role == "carol":
        client.force_login(request.getfixturevalue("carol_user"))
    elif role == "bob":
        client.force_login(request.getfixturevalue("bob").user)
    before = state(carol, dave)
    response = client.post(f"/inbox/c/{carol_chat.pk}/merge/", {"source": str(dave.pk)})
    assert response.status_code == (302 if role == "anonymous" else 404)
    assert state(carol, dave) == before
    assert CustomerMerge.objects.count() == 0


def test_split_moves_identities_and_their_conversations_and_can_be_undone(
    client: Client, alice: Agent, carol: Customer, carol_chat: Conversation
) -> None:
    # given Carol (e-mail, X, Telegram) with a Telegram conversation and an e-mail one
    email_case = start_conversation(None, customer=carol, origin_channel=ChannelKind.EMAIL)
    telegram = ChannelIdentity.objects.get(customer=carol, kind=ChannelKind.TELEGRAM)
    before = state(carol)

    # when Alice splits the Telegram identity off: it was someone else's phone
    client.force_login(alice.user)
    response = client.post(
        f"/inbox/c/{carol_chat.pk}/split/",
        {"identity": [str(telegram.pk)], "name": "Carsten", "reason": "anderes Handy"},
    )
    assert response.status_code == 302

    # then Carsten has the Telegram identity and the Telegram conversation, Carol the rest
    split = CustomerMerge.objects.get()
    assert split.is_split
    carsten = split.target
    assert carsten.display_name == "Carsten"
    assert state(carsten)[carsten.pk][:2] == ([telegram.pk], [carol_chat.pk])
    assert email_case.pk in state(carol)[carol.pk][1]
    html = client.get(f"/inbox/c/{carol_chat.pk}/").content.decode()
    assert "anderes Handy" in html

    # when the split is undone, Carol has everything back
    actions.unmerge_customers(alice, split.pk)
    assert state(carol) == before
    assert state(carsten)[carsten.pk] == ([], [], [], None)


def test_a_split_keeps_at_least_one_identity_and_only_the_customers_own(
    alice: Agent, carol: Customer, dave: Customer
) -> None:
    every = list(carol.identities.values_list("pk", flat=True))
    with pytest.raises(Invalid):
        actions.split_customer(alice, carol.pk, identity_ids=every, display_name="X")
    daves = list(dave.identities.values_list("pk", flat=True))
    with pytest.raises(Invalid):
        actions.split_customer(alice, carol.pk, identity_ids=daves, display_name="X")
    assert CustomerMerge.objects.count() == 0
    assert Customer.objects.count() == 2
