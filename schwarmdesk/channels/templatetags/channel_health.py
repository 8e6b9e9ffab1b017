"""``{% channel_warnings as warnings %}``: channels in warning, for the admin index."""

from __future__ import annotations

from django import template

from schwarmdesk.channels.health import Problem, list_warnings
from schwarmdesk.channels.models import Channel

register = template.Library()


@register.simple_tag
def channel_warnings() -> list[tuple[Channel, list[Problem]]]:
    return list_warnings()
