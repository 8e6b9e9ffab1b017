"""``{% reputation_summary user as summary %}``: points, trust level and badges of a member."""

from __future__ import annotations

from typing import Any

from django import template

from schwarmdesk.reputation.abilities import has_ability
from schwarmdesk.reputation.queries import ReputationSummary, get_summary

register = template.Library()


@register.simple_tag
def reputation_summary(user: Any) -> ReputationSummary:
    return get_summary(user)


@register.filter
def trust_level_name(points: int | None) -> str:
    from schwarmdesk.reputation.rules import TrustLevel  # noqa: PLC0415

    return str(TrustLevel.for_points(points or 0).label)


@register.simple_tag
def ability(user: Any, name: str) -> bool:
    """``{% ability user "edit_others" as may_edit_others %}``: one lookup per page."""
    return has_ability(user, name)
