"""Every link of a channel identity to a customer records why it was made, and agents see it;
a verified e-mail address links customers automatically, an unverified one never does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client

from schwarmdesk.accounts import actions as accounts
from schwarmdesk.accounts.models import Profile
from schwarmdesk.channels.actions import configure_channel
from schwarmdesk.channels.adapters.base import InboundMessage, Sender
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.conversations.actions import receive
from schwarmdesk.conversations.models import Conversation
from schwarmdesk.inbox import actions as inbox
from schwarmdesk.inbox.models import CustomerMerge
from schwarmdesk.people.actions import create_agent, create_customer, link_identity
from schwarmdesk.people.evidence import Evidence, EvidenceKind
from schwarmdesk.people.models import Agent, ChannelIdentity, Customer


def evidence_of(kind: str, external_id: str) -> tuple[str, str, str, int | None, int]:
    identity = ChannelIdentity.objects.get(kind=kind, external_id=external_id)
    return (
        identity.link_evidence,
        identity.linked_by,
        identity.link_detail,
        identity.link_merge_id,
        identity.customer_id,
    )


def member(customer: Customer | None, *, username: str, email: str, is_verified: bool) -> User:
    """A community account (its address verified or not), attached to the customer if given."""
    user = User.objects.create_user(username=username, email=email, password="x")
    Profile.objects.create(user=user, is_email_verified=is_verified)
    if customer is not None:
        Customer.objects.filter(pk=customer.pk).update(user=user)
    return user


def test_default_evidence_depends_on_who_links_and_what(alice: Agent, carol: Customer) -> None:
    # given Carol's fixture identities (linked by the system), then one linked by Alice
    link_identity(alice.user, carol, kind=ChannelKind.TELEGRAM, external_id="5001")
    link_identity(None, carol, kind=ChannelKind.MASTODON, external_id="42", is_verified=True)
    other = create_customer(None, display_name="Vera")
    link_identity(
        None, other, kind=ChannelKind.EMAIL, external_id="vera@example.com", is_verified=True
    )

    assert evidence_of(ChannelKind.X, "1001") == (
        EvidenceKind.FIRST_CONTACT,
        "",
        "",
        None,
        carol.pk,
    )
    assert evidence_of(ChannelKind.TELEGRAM, "5001") == (
        EvidenceKind.AGENT_LINK,
        "Alice Albers",
        "",
        None,
        carol.pk,
    )
    # a platform-verified account is not an e-mail address: still the first contact
    assert evidence_of(ChannelKind.MASTODON, "42")[0] == EvidenceKind.FIRST_CONTACT
    assert evidence_of(ChannelKind.EMAIL, "vera@example.com")[0] == EvidenceKind.VERIFIED_EMAIL
    assert ChannelIdentity.objects.get(external_id="42").linked_at is not None


def test_explicit_evidence_is_kept_and_relinking_changes_nothing(carol: Customer) -> None:
    evidence = Evidence(EvidenceKind.SAME_EMAIL, by="", detail="Chat mit carol@example.com")
    link_identity(None, carol, kind=ChannelKind.WEB_CHAT, external_id="wc_1", evidence=evidence)
    # linking the same identity again (unverified) leaves the recorded reason alone
    link_identity(None, carol, kind=ChannelKind.WEB_CHAT, external_id="wc_1")
    assert evidence_of(ChannelKind.WEB_CHAT, "wc_1") == (
        EvidenceKind.SAME_EMAIL,
        "",
        "Chat mit carol@example.com",
        None,
        carol.pk,
    )


def test_merge_records_the_merge_as_evidence_and_undo_records_the_undo(
    alice: Agent, carol: Customer, dave: Customer
) -> None:
    merge = inbox.merge_customers(alice, dave.pk, carol.pk, reason="gleiche Person")
    assert evidence_of(ChannelKind.EMAIL, "dave@example.org") == (
        EvidenceKind.AGENT_MERGE,
        "Alice Albers",
        "gleiche Person",
        merge.pk,
        carol.pk,
    )
    # Carol's own identities did not move and keep their reason
    assert evidence_of(ChannelKind.X, "1001")[0] == EvidenceKind.FIRST_CONTACT

    inbox.unmerge_customers(alice, merge.pk)
    assert evidence_of(ChannelKind.EMAIL, "dave@example.org") == (
        EvidenceKind.MERGE_UNDONE,
        "Alice Albers",
        "",
        merge.pk,
        dave.pk,
    )


def test_sidebar_shows_why_each_identity_is_linked(
    client: Client, alice: Agent, carol: Customer, dave: Customer, carol_conversation: Conversation
) -> None:
    merge = inbox.merge_customers(alice, dave.pk, carol.pk, reason="gleiche Person")
    client.force_login(alice.user)
    html = client.get(f"/inbox/c/{carol_conversation.pk}/").content.decode()
    assert (
        f"Verknüpft wegen: von einem Agenten zusammengeführt (#{merge.pk}) · Alice Albers" in html
    )
    assert "Verknüpft wegen: erste Nachricht auf diesem Kanal" in html


def test_signup_verification_is_recorded_on_the_address(db: None) -> None:
    user = accounts.sign_up(
        None,
        username="erika",
        display_name="Erika Engel",
        email="erika@example.com",
        password="Regenbogen-Fahrrad-42",
        language="de",
        has_consented=True,
    )
    assert evidence_of(ChannelKind.EMAIL, "erika@example.com")[0] == EvidenceKind.FIRST_CONTACT
    accounts.verify_email(None, token=accounts.verification_token(user))
    identity = ChannelIdentity.objects.get(external_id="erika@example.com")
    assert identity.is_verified is True
    assert (identity.link_evidence, identity.linked_by) == (
        EvidenceKind.SIGNUP_VERIFICATION,
        "erika",
    )


def test_known_customer_adopted_at_verification_records_the_verification(dave: Customer) -> None:
    user = accounts.sign_up(
        None,
        username="dave",
        display_name="Dave Dorn",
        email="dave@example.org",
        password="Regenbogen-Fahrrad-42",
        language="en",
        has_consented=True,
    )
    accounts.verify_email(None, token=accounts.verification_token(user))
    assert evidence_of(ChannelKind.EMAIL, "dave@example.org")[:2] == (
        EvidenceKind.SIGNUP_VERIFICATION,
        "dave",
    )


@pytest.mark.parametrize("identity_is_verified", [True, False])
def test_verifying_an_address_merges_only_a_verified_holder(
    identity_is_verified: bool, carol: Customer
) -> None:
    # given Vera's account (her customer record has no e-mail identity yet), and another
    # customer record that holds the e-mail identity vera@example.com
    vera = create_customer(None, display_name="Vera Vogel")
    user = member(vera, username="vera", email="vera@example.com", is_verified=False)
    holder = create_customer(None, display_name="vera@example.com")
    link_identity(
        None,
        holder,
        kind=ChannelKind.EMAIL,
        external_id="vera@example.com",
        is_verified=identity_is_verified,
    )

    # when Vera verifies her address
    accounts.verify_email(None, token=accounts.verification_token(user))

    # then the account is verified either way
    assert Profile.objects.get(user=user).is_email_verified is True
    identity = ChannelIdentity.objects.get(kind=ChannelKind.EMAIL, external_id="vera@example.com")
    if identity_is_verified:
        # the holder is merged into Vera, undoably, with the verified address as evidence
        merge = CustomerMerge.objects.get()
        assert (merge.source_id, merge.target_id, merge.merged_by) == (holder.pk, vera.pk, None)
        assert merge.reason == "bestätigte E-Mail-Adresse vera@example.com"  # site language
        assert (identity.customer_id, identity.link_evidence, identity.link_merge_id) == (
            vera.pk,
            EvidenceKind.VERIFIED_EMAIL,
            merge.pk,
        )
    else:
        # an unverified From address proves nothing: nobody is merged, nothing moves
        assert CustomerMerge.objects.count() == 0
        assert (identity.customer_id, identity.link_evidence) == (
            holder.pk,
            EvidenceKind.FIRST_CONTACT,
        )


@pytest.mark.parametrize("account_is_verified", [True, False])
def test_an_identity_marked_verified_merges_into_a_verified_account_only(
    account_is_verified: bool, db: None
) -> None:
    # given Vera's account with the address vera@example.com (verified or not) and a customer
    # record that wrote from that address
    vera = create_customer(None, display_name="Vera Vogel")
    member(vera, username="vera", email="Vera@Example.com", is_verified=account_is_verified)
    holder = create_customer(None, display_name="vera@example.com")
    link_identity(None, holder, kind=ChannelKind.EMAIL, external_id="vera@example.com")
    assert inbox.merge_verified_email(None, address="vera@example.com") is None  # not verified

    # when the e-mail identity is marked verified
    link_identity(
        None, holder, kind=ChannelKind.EMAIL, external_id="vera@example.com", is_verified=True
    )
    merge = inbox.merge_verified_email(None, address="vera@example.com")

    # then it is merged into Vera's record only if her account's address is verified too
    owner = ChannelIdentity.objects.get(external_id="vera@example.com").customer_id
    if account_is_verified:
        assert merge is not None
        assert (merge.source_id, merge.target_id, owner) == (holder.pk, vera.pk, vera.pk)
    else:
        assert merge is None
        assert CustomerMerge.objects.count() == 0
        assert owner == holder.pk


@pytest.mark.parametrize(
    ("kind", "identity_kind", "expected"),
    [
        (ChannelKind.WEB_FORM, ChannelKind.EMAIL, EvidenceKind.SAME_EMAIL),
        (ChannelKind.WEB_CHAT, ChannelKind.EMAIL, EvidenceKind.SAME_EMAIL),
        (ChannelKind.TELEGRAM, "", EvidenceKind.FIRST_CONTACT),
    ],
)
def test_a_new_customer_from_a_message_records_how_the_identity_came(
    kind: str, identity_kind: str, expected: str, db: None
) -> None:

    channel = configure_channel(None, kind=kind, name="test", secrets={})
    external_id = "neu@example.com" if identity_kind else "5009"
    receive(
        None,
        channel_id=channel.pk,
        message=InboundMessage(
            kind=kind,
            external_id="m-1",
            sender=Sender(
                external_id=external_id,
                handle="",
                display_name="Nina Neu",
                language="de",
                identity_kind=identity_kind,
                is_verified=not identity_kind,
            ),
            text="Hallo",
            sent_at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
            is_public=False,
            thread_key="t",
            reply_context={},
        ),
    )
    identity = ChannelIdentity.objects.get(external_id=external_id)
    assert (identity.kind, identity.link_evidence) == (identity_kind or kind, expected)
    assert identity.link_detail == (kind if identity_kind else "")


def test_marking_an_email_identity_verified_in_the_admin_links_the_verified_account(
    client: Client, db: None
) -> None:
    # given Vera's verified account and another record that wrote from her address
    vera = create_customer(None, display_name="Vera Vogel")
    member(vera, username="vera", email="vera@example.com", is_verified=True)
    holder = create_customer(None, display_name="vera@example.com")
    identity = link_identity(None, holder, kind=ChannelKind.EMAIL, external_id="vera@example.com")
    root = create_agent(
        None, username="root", password="x", display_name="Rita Root", initials="RR", is_admin=True
    )
    client.force_login(root.user)
    url = f"/admin/people/channelidentity/{identity.pk}/change/"
    form = {
        "customer": str(holder.pk),
        "kind": "email",
        "external_id": "vera@example.com",
        "handle": "",
    }

    # when the administrator saves it unchanged, nothing is merged
    assert client.post(url, form).status_code == 302
    assert CustomerMerge.objects.count() == 0

    # when she marks it verified, the record is merged into Vera's, with the evidence
    assert client.post(url, form | {"is_verified": "on"}).status_code == 302
    merge = CustomerMerge.objects.get()
    assert (merge.source_id, merge.target_id) == (holder.pk, vera.pk)
    assert evidence_of(ChannelKind.EMAIL, "vera@example.com")[0] == EvidenceKind.VERIFIED_EMAIL

    # and giving an identity to a customer by hand records the agent's link
    form = form | {"customer": str(holder.pk), "is_verified": "on"}
    assert client.post(url, form).status_code == 302
    assert evidence_of(ChannelKind.EMAIL, "vera@example.com") == (
        EvidenceKind.AGENT_LINK,
        "Rita Root",
        "",
        None,
        holder.pk,
    )
