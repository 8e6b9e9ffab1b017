"""What a community member may do, by trust level: agents and administrators may do all.

Other parts of the community ask here (``has_ability(user, "post_links")``) instead of reading
reputation numbers themselves, so the thresholds live in one place (:mod:`.rules`).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from schwarmdesk.core.errors import Invalid
from schwarmdesk.people.actions import Actor
from schwarmdesk.reputation.rules import ABILITY_LEVELS, TrustLevel


def is_staff_account(actor: Actor) -> bool:
    """Agents and administrators (the same test as the community's ``is_staff``)."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    return getattr(actor, "agent", None) is not None or bool(getattr(actor, "is_superuser", False))


def trust_level_of(actor: Actor) -> TrustLevel:
    """The actor's trust level from their cached reputation (0 for visitors and new accounts)."""
    if actor is None or not actor.is_authenticated:
        return TrustLevel.NEW
    from schwarmdesk.reputation.models import Profile  # noqa: PLC0415 (models import rules)

    points = Profile.objects.filter(user_id=actor.pk).values_list("points", flat=True).first()
    return TrustLevel.for_points(points or 0)


def has_ability(user: Actor, ability: str) -> bool:
    """``post_links``, ``edit_others`` or ``hide_by_flag``; unknown abilities raise KeyError."""
    needed = ABILITY_LEVELS[ability]
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if is_staff_account(user):
        return True
    return trust_level_of(user) >= needed


# A link in Markdown or plain text: a URL scheme, "www.", a Markdown link or autolink target,
# or an HTML anchor (shown as text, but still an attempt).
_LINK = re.compile(
    r"(?:\b(?:https?|ftp)://|\bmailto:|\bwww\.[a-z0-9-]+\.|\]\s*\(|\]\s*\[|<a\s|"
    r"^\s*\[[^\]]+\]:\s*\S)",
    re.IGNORECASE | re.MULTILINE,
)


def contains_link(text: str) -> bool:
    return _LINK.search(text) is not None


def require_link_ability(user: Actor, *texts: str) -> None:
    """Invalid when a member who may not post links yet (trust level 0) wrote one."""
    if any(contains_link(text) for text in texts) and not has_ability(user, "post_links"):
        raise Invalid(
            _(
                "New members cannot post links yet. Your reputation grows when others upvote "
                "your posts or accept your answers."
            )
        )
