"""The shapes of the demo data set: frozen dataclasses and small builders. Pure data, no models.

The data itself lives in ``data_people.py`` (teams, agents, customers) and
``data_conversations_travel.py``, ``_tech.py`` and ``_billing.py`` (the cases). The company is
fictional: Nordlicht Mobil GmbH in Kiel runs regional trains (lines NL1 Kiel - Neumünster -
Hamburg-Altona, NL3 Husum - Schleswig - Flensburg, NL5 Kiel - Plön - Lübeck) and sells mobile
plans (Flex S/M/L, Business L) and home internet (DSL 100, Glasfaser 300/500/1000, router
"Nordbox 7"). Every e-mail address is under example.com, example.org or example.net.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from schwarmdesk.channels.kinds import ChannelKind

Language = Literal["de", "en"]
StatusName = Literal["open", "pending", "solved", "closed"]
PriorityName = Literal["low", "normal", "high", "urgent"]
VisibilityName = Literal["public", "private", "internal"]

# Demo mode only: every demo agent logs in with this password.
DEMO_PASSWORD = "demo-passwort"  # noqa: S105 -- a published demo password, not a secret
# The demo data counts as loaded when this team exists.
MARKER_TEAM_SLUG = "travel"


@dataclass(frozen=True, kw_only=True)
class TeamSpec:
    slug: str
    name: str
    description: str


@dataclass(frozen=True, kw_only=True)
class AgentSpec:
    username: str
    display_name: str
    initials: str
    email: str
    role: str
    languages: tuple[Language, ...]
    skills: tuple[str, ...]
    teams: tuple[str, ...]
    is_admin: bool = False


@dataclass(frozen=True, kw_only=True)
class IdentitySpec:
    kind: ChannelKind
    external_id: str
    handle: str = ""
    is_verified: bool = False


@dataclass(frozen=True, kw_only=True)
class CustomerSpec:
    key: str
    display_name: str
    email: str = ""
    language: Language = "de"
    is_vip: bool = False
    note: str = ""
    # Identities besides the e-mail address, which create_customer links itself.
    identities: tuple[IdentitySpec, ...] = ()


@dataclass(frozen=True, kw_only=True)
class MessageSpec:
    after_minutes: int
    text: str
    agent: str = ""  # the agent's username; empty when the customer wrote it
    visibility: VisibilityName = "public"
    channel: ChannelKind | None = None  # None: the conversation's origin channel
    html: str = ""

    @property
    def is_inbound(self) -> bool:
        return not self.agent


@dataclass(frozen=True, kw_only=True)
class ConversationSpec:
    key: str
    channel: ChannelKind
    customer: str
    language: Language
    subject: str
    days_ago: int
    opened_at: str  # local wall-clock time "HH:MM" on that day
    status: StatusName
    priority: PriorityName = "normal"
    team: str = ""
    assignee: str = ""
    tags: tuple[str, ...] = ()
    messages: tuple[MessageSpec, ...]


def customer(
    after_minutes: int,
    text: str,
    *,
    visibility: VisibilityName = "public",
    channel: ChannelKind | None = None,
    html: str = "",
) -> MessageSpec:
    """A message the customer sent us."""
    return MessageSpec(
        after_minutes=after_minutes, text=text, visibility=visibility, channel=channel, html=html
    )


def reply(
    agent: str,
    after_minutes: int,
    text: str,
    *,
    visibility: VisibilityName = "public",
    channel: ChannelKind | None = None,
) -> MessageSpec:
    """An agent's answer to the customer (public, or private such as a direct message)."""
    return MessageSpec(
        after_minutes=after_minutes, text=text, agent=agent, visibility=visibility, channel=channel
    )


def note(agent: str, after_minutes: int, text: str) -> MessageSpec:
    """An internal note: agents only, never sent."""
    return MessageSpec(after_minutes=after_minutes, text=text, agent=agent, visibility="internal")
