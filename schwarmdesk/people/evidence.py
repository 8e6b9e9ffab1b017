"""Why a channel identity belongs to its customer: the kinds of evidence a link records.

Pure data, no models: ``people.models`` stores the evidence on the identity and
``people.actions.link_identity`` derives a default when a caller gives none.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class EvidenceKind(models.TextChoices):
    FIRST_CONTACT = "first_contact", _("first message on this channel")
    VERIFIED_EMAIL = "verified_email", _("verified e-mail address")
    SAME_EMAIL = "same_email", _("e-mail address given in a web form or chat")
    AGENT_MERGE = "agent_merge", _("merged by an agent")
    AGENT_LINK = "agent_link", _("linked by an agent")
    SIGNUP_VERIFICATION = "signup_verification", _("sign-up verification")
    MERGE_UNDONE = "merge_undone", _("merge undone")


@dataclass(frozen=True)
class Evidence:
    """One reason for a link: its kind, who made it (a display name), a detail, a merge record."""

    kind: str
    by: str = ""
    detail: str = ""
    merge_id: int | None = None
