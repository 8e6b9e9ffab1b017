"""Customers, their channel identities, agents, teams and skills."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.people.evidence import EvidenceKind


class Customer(models.Model):
    """A person we serve. Every channel identity and every conversation belongs to one."""

    display_name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="de"
    )
    is_vip = models.BooleanField(_("VIP"), default=False)
    note = models.TextField(_("note for agents"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("community account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customer",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["display_name", "pk"]

    def __str__(self) -> str:
        return self.display_name


class ChannelIdentity(models.Model):
    """How a customer appears on one channel: an e-mail address, an X account, a chat cookie.

    The foreign key makes "one owner per identity" structural; the unique constraint makes an
    external id name at most one identity per channel kind.
    """

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="identities",
    )
    kind = models.CharField(_("channel"), max_length=20, choices=ChannelKind.choices)
    external_id = models.CharField(
        _("external id"),
        max_length=255,
        help_text=_("The channel's stable id: e-mail address, numeric account id, chat cookie."),
    )
    handle = models.CharField(
        _("handle"), max_length=255, blank=True, help_text=_("What people see, e.g. @name.")
    )
    is_verified = models.BooleanField(_("verified"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Why this identity belongs to its customer (the latest link); see people.evidence.
    link_evidence = models.CharField(
        _("linked because of"),
        max_length=20,
        choices=EvidenceKind.choices,
        default=EvidenceKind.FIRST_CONTACT,
    )
    link_detail = models.CharField(_("link detail"), max_length=300, blank=True)
    linked_by = models.CharField(_("linked by"), max_length=200, blank=True)
    linked_at = models.DateTimeField(_("linked"), null=True, blank=True)
    link_merge_id = models.PositiveIntegerField(_("linked by merge"), null=True, blank=True)

    class Meta:
        verbose_name = _("channel identity")
        verbose_name_plural = _("channel identities")
        ordering = ["kind", "external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "external_id"], name="identity_unique_external_id_per_kind"
            ),
            models.CheckConstraint(
                condition=~models.Q(external_id=""), name="identity_external_id_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.handle or self.external_id}"


class Skill(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def avatar_path(instance: Agent, filename: str) -> str:
    return f"avatars/{instance.user_id}/{filename}"


class Agent(models.Model):
    """An agent's public face (name, initials, photo) and routing data, on the Django user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="agent",
    )
    display_name = models.CharField(_("display name"), max_length=200)
    initials = models.CharField(
        _("initials"), max_length=4, help_text=_("Shown on avatars and public replies (^AB).")
    )
    avatar = models.ImageField(_("photo"), upload_to=avatar_path, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), blank=True)
    teams = models.ManyToManyField(Team, verbose_name=_("teams"), blank=True, related_name="agents")
    is_available = models.BooleanField(_("available"), default=True)

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(fields=["initials"], name="agent_unique_initials"),
            models.CheckConstraint(
                condition=~models.Q(initials=""), name="agent_initials_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.initials})"
