"""One owner per identity; an external id names at most one identity per channel."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.core.errors import Conflict, Invalid
from schwarmdesk.people.actions import create_agent, link_identity
from schwarmdesk.people.models import ChannelIdentity, Customer


def test_linking_the_same_identity_twice_to_the_same_customer_is_idempotent(
    carol: Customer,
) -> None:
    # given Carol's X identity exists; when it is linked again, verified this time
    again = link_identity(
        None, carol, kind=ChannelKind.X, external_id="1001", handle="@carol", is_verified=True
    )
    # then there is still one identity, and it is now verified
    assert ChannelIdentity.objects.filter(kind=ChannelKind.X).count() == 1
    assert again.customer_id == carol.pk
    assert again.is_verified is True


def test_identity_of_another_customer_is_refused_and_nothing_changes(
    carol: Customer, dave: Customer
) -> None:
    before = list(ChannelIdentity.objects.values_list("kind", "external_id", "customer_id"))
    with pytest.raises(Conflict, match="already belongs to another customer"):
        link_identity(None, dave, kind=ChannelKind.X, external_id="1001")
    after = list(ChannelIdentity.objects.values_list("kind", "external_id", "customer_id"))
    assert after == before


def test_email_identities_compare_case_insensitively(carol: Customer, dave: Customer) -> None:
    with pytest.raises(Conflict):
        link_identity(None, dave, kind=ChannelKind.EMAIL, external_id=" Carol@Example.COM ")
    assert ChannelIdentity.objects.get(kind=ChannelKind.EMAIL, customer=carol).external_id == (
        "carol@example.com"
    )


def test_same_external_id_on_another_channel_is_a_different_identity(
    carol: Customer, dave: Customer
) -> None:
    identity = link_identity(None, dave, kind=ChannelKind.TELEGRAM, external_id="1001")
    assert identity.customer_id == dave.pk
    assert ChannelIdentity.objects.filter(external_id="1001").count() == 2


def test_database_constraint_rejects_a_second_insert(carol: Customer, dave: Customer) -> None:
    # the invariant holds in the database itself, not only in the action
    with pytest.raises(IntegrityError), transaction.atomic():
        ChannelIdentity.objects.create(customer=dave, kind=ChannelKind.X, external_id="1001")
    assert ChannelIdentity.objects.filter(kind=ChannelKind.X, external_id="1001").count() == 1


def test_empty_external_id_and_unknown_kind_are_invalid(carol: Customer) -> None:
    with pytest.raises(Invalid, match="needs an external id"):
        link_identity(None, carol, kind=ChannelKind.TELEGRAM, external_id="  ")
    with pytest.raises(Invalid, match="unknown channel kind 'fax'"):
        link_identity(None, carol, kind="fax", external_id="123")
    with pytest.raises(IntegrityError), transaction.atomic():
        ChannelIdentity.objects.create(customer=carol, kind=ChannelKind.TELEGRAM, external_id="")


@pytest.mark.django_db
def test_agent_initials_are_unique_and_user_is_staff() -> None:
    agent = create_agent(
        None, username="eva", password="pw-eva-123", display_name="Eva E", initials="ee"
    )
    assert agent.initials == "EE"
    assert agent.user.is_staff is True
    assert agent.user.is_superuser is False
    with pytest.raises(Conflict, match="initials 'EE' are taken"):
        create_agent(None, username="emil", password="pw", display_name="Emil E", initials="EE")
    with pytest.raises(Invalid, match="one to four letters"):
        create_agent(None, username="x", password="pw", display_name="X", initials="ABCDE")
