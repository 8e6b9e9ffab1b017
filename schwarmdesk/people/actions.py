"""Every state change on customers, identities and agents."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import IntegrityError, transaction
from django.utils import timezone

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.core.errors import Conflict, Invalid
from schwarmdesk.people.evidence import Evidence, EvidenceKind
from schwarmdesk.people.models import Agent, ChannelIdentity, Customer, Skill, Team

log = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None


def normalize_external_id(kind: str, external_id: str) -> str:
    """E-mail addresses compare case-insensitively; other channels' ids are taken as given."""
    cleaned = external_id.strip()
    if kind == ChannelKind.EMAIL:
        cleaned = cleaned.lower()
    return cleaned


@transaction.atomic
def create_customer(
    actor: Actor,
    *,
    display_name: str,
    email: str = "",
    language: str = "de",
    is_vip: bool = False,
    note: str = "",
) -> Customer:
    name = display_name.strip()
    if not name:
        raise Invalid("a customer needs a name")
    customer = Customer.objects.create(
        display_name=name,
        email=email.strip().lower(),
        language=language,
        is_vip=is_vip,
        note=note,
    )
    if customer.email:
        link_identity(
            actor, customer, kind=ChannelKind.EMAIL, external_id=customer.email, is_verified=False
        )
    return customer


def link_identity(
    actor: Actor,
    customer: Customer,
    *,
    kind: str,
    external_id: str,
    handle: str = "",
    is_verified: bool = False,
    evidence: Evidence | None = None,
) -> ChannelIdentity:
    """Attach a channel identity to a customer; idempotent for the same customer.

    A new identity records why it was linked (``evidence``; by default an agent's link when an
    agent acts, a verified e-mail address, or else the customer's first message on the channel).
    Raises :class:`Conflict` when the identity already belongs to another customer: one
    identity has exactly one owner, and moving it is a merge, not a side effect.
    """
    evidence = evidence or default_evidence(actor, kind=kind, is_verified=is_verified)
    if kind not in ChannelKind.values:
        raise Invalid(f"unknown channel kind {kind!r}")
    key = normalize_external_id(kind, external_id)
    if not key:
        raise Invalid("an identity needs an external id")
    try:
        with transaction.atomic():
            identity, created = ChannelIdentity.objects.get_or_create(
                kind=kind,
                external_id=key,
                defaults={
                    "customer": customer,
                    "handle": handle,
                    "is_verified": is_verified,
                    "link_evidence": evidence.kind,
                    "link_detail": evidence.detail[:300],
                    "linked_by": evidence.by[:200],
                    "linked_at": timezone.now(),
                    "link_merge_id": evidence.merge_id,
                },
            )
    except IntegrityError:
        # Another transaction created it between our SELECT and INSERT: read the winner.
        identity = ChannelIdentity.objects.get(kind=kind, external_id=key)
        created = False
    if identity.customer_id != customer.pk:
        log.info(
            "identity.conflict kind=%s identity=%s owner=%s requested=%s",
            kind,
            identity.pk,
            identity.customer_id,
            customer.pk,
        )
        raise Conflict(f"this {kind} identity already belongs to another customer")
    if not created and is_verified and not identity.is_verified:
        identity.is_verified = True
        identity.link_evidence = evidence.kind
        identity.link_detail = evidence.detail[:300]
        identity.linked_by = evidence.by[:200]
        identity.linked_at = timezone.now()
        identity.link_merge_id = evidence.merge_id
        identity.save(
            update_fields=[
                "is_verified",
                "link_evidence",
                "link_detail",
                "linked_by",
                "linked_at",
                "link_merge_id",
            ]
        )
    return identity


def actor_name(actor: Actor) -> str:
    """Who made a link, as agents read it: the agent's name, else the user name."""
    if actor is None or not actor.is_authenticated:
        return ""
    agent = Agent.objects.filter(user_id=actor.pk).first()
    return agent.display_name if agent is not None else str(actor.get_username())


def default_evidence(actor: Actor, *, kind: str, is_verified: bool) -> Evidence:
    if actor is not None and getattr(actor, "is_staff", False):
        return Evidence(EvidenceKind.AGENT_LINK, by=actor_name(actor))
    if kind == ChannelKind.EMAIL and is_verified:
        return Evidence(EvidenceKind.VERIFIED_EMAIL, by=actor_name(actor))
    return Evidence(EvidenceKind.FIRST_CONTACT, by=actor_name(actor))


def record_evidence(identity_ids: list[int], evidence: Evidence) -> int:
    """Identities that moved (merge, undo) get the reason for their new owner."""
    return ChannelIdentity.objects.filter(pk__in=identity_ids).update(
        link_evidence=evidence.kind,
        link_detail=evidence.detail[:300],
        linked_by=evidence.by[:200],
        linked_at=timezone.now(),
        link_merge_id=evidence.merge_id,
    )


@transaction.atomic
def create_team(actor: Actor, *, name: str, slug: str, description: str = "") -> Team:
    team, _created = Team.objects.update_or_create(
        slug=slug, defaults={"name": name, "description": description}
    )
    return team


@transaction.atomic
def create_agent(
    actor: Actor,
    *,
    username: str,
    password: str,
    display_name: str,
    initials: str,
    email: str = "",
    languages: Iterable[str] = ("de",),
    skills: Iterable[str] = (),
    teams: Iterable[Team] = (),
    is_admin: bool = False,
) -> Agent:
    """Create a Django user with staff access and its agent profile."""
    initials = initials.strip().upper()
    if not 1 <= len(initials) <= 4:
        raise Invalid("initials have one to four letters")
    if User.objects.filter(username=username).exists():
        raise Conflict(f"the user name {username!r} is taken")
    if Agent.objects.filter(initials=initials).exists():
        raise Conflict(f"the initials {initials!r} are taken")
    user = User.objects.create_user(
        username=username,
        email=email,
        password=password,
        is_staff=True,
        is_superuser=is_admin,
        first_name=display_name.split(" ", maxsplit=1)[0],
        last_name=" ".join(display_name.split(" ")[1:]),
    )
    agent = Agent.objects.create(
        user=user, display_name=display_name, initials=initials, languages=list(languages)
    )
    agent.skills.set([Skill.objects.get_or_create(name=skill)[0] for skill in skills])
    agent.teams.set(list(teams))
    return agent
