"""Demo teams, agents and customers of the fictional Nordlicht Mobil GmbH, Kiel."""

from __future__ import annotations

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.demo.data import AgentSpec, CustomerSpec, IdentitySpec, TeamSpec

TEAMS: tuple[TeamSpec, ...] = (
    TeamSpec(
        slug="travel",
        name="Bahn & Reisen",
        description="Fahrplan, Verspätungen und Ausfälle, Fahrgastrechte und Erstattungen, "
        "Tickets aus der App, Ersatzverkehr und Fundsachen auf den Linien NL1, NL3 und NL5.",
    ),
    TeamSpec(
        slug="tech",
        name="Technik & Tarife",
        description="Mobilfunk und Roaming, eSIM, Glasfaser und DSL, Router, Nordlicht App "
        "und Kundenportal, Rechnungen, SEPA-Lastschrift, Umzug und Kündigung.",
    ),
)

AGENTS: tuple[AgentSpec, ...] = (
    AgentSpec(
        username="lena",
        display_name="Lena Krüger",
        initials="LK",
        email="lena.krueger@nordlicht.example.com",
        role="Admin, Teamleitung Bahn & Reisen",
        languages=("de", "en"),
        skills=("refunds", "timetable", "accessibility", "escalation"),
        teams=("travel", "tech"),
        is_admin=True,
    ),
    AgentSpec(
        username="mehmet",
        display_name="Mehmet Aydın",  # noqa: RUF001 -- Turkish dotless i in a name
        initials="MA",
        email="mehmet.aydin@nordlicht.example.com",
        role="Agent, Bahn & Reisen (Social Media)",
        languages=("de", "en"),
        skills=("refunds", "timetable", "social-media"),
        teams=("travel",),
    ),
    AgentSpec(
        username="sophie",
        display_name="Sophie Brandt",
        initials="SB",
        email="sophie.brandt@nordlicht.example.com",
        role="Agentin, Technik & Tarife (Netz, Router)",
        languages=("de", "en"),
        skills=("router", "fibre", "roaming", "outages"),
        teams=("tech",),
    ),
    AgentSpec(
        username="jonas",
        display_name="Jonas Petersen",
        initials="JP",
        email="jonas.petersen@nordlicht.example.com",
        role="Agent, Technik & Tarife (Rechnungen, Verträge)",
        languages=("de",),
        skills=("billing", "sepa", "contracts", "business-customers"),
        teams=("tech",),
    ),
    AgentSpec(
        username="ole",
        display_name="Ole Hansen",
        initials="OH",
        email="ole.hansen@nordlicht.example.com",
        role="Agent, Technik & Tarife (App, eSIM)",
        languages=("de", "en"),
        skills=("app", "2fa", "esim", "password-reset"),
        teams=("tech",),
    ),
)

CUSTOMERS: tuple[CustomerSpec, ...] = (
    CustomerSpec(
        key="anna",
        display_name="Anna Schulte",
        email="anna.schulte@example.com",
        identities=(
            IdentitySpec(kind=ChannelKind.X, external_id="1428833910", handle="@anna_schulte_ki"),
        ),
    ),
    CustomerSpec(
        key="thomas",
        display_name="Thomas Becker",
        email="t.becker@example.net",
        is_vip=True,
        note="Geschäftskunde: Becker Haustechnik GmbH, Rendsburg. 3 Mobilfunkkarten "
        "Business L, Glasfaser 500 im Büro. Kundennummer 20077131.",
    ),
    CustomerSpec(
        key="sabine",
        display_name="Sabine Wolters",
        email="sabine.wolters@example.org",
        note="Zieht nach Eckernförde um. Mutter ist Rollstuhlfahrerin.",
        identities=(
            IdentitySpec(
                kind=ChannelKind.FACEBOOK,
                external_id="5820114736290457",
                handle="Sabine Wolters",
                is_verified=True,
            ),
        ),
    ),
    CustomerSpec(
        key="kai",
        display_name="Kai Jensen",
        email="kai.jensen@example.com",
        identities=(
            IdentitySpec(
                kind=ChannelKind.MASTODON,
                external_id="https://social.example.org/users/kaijensen",
                handle="@kaijensen@social.example.org",
                is_verified=True,
            ),
        ),
    ),
    CustomerSpec(
        key="emily",
        display_name="Emily Carter",
        email="emily.carter@example.com",
        language="en",
        note="Lives in Kiel, works in Hamburg; prefers English.",
        identities=(
            IdentitySpec(kind=ChannelKind.X, external_id="1583320457", handle="@emilycarter_kiel"),
            IdentitySpec(
                kind=ChannelKind.WEB_CHAT, external_id="wc_6f1d0c93a2b84e57b1c4", is_verified=True
            ),
        ),
    ),
    CustomerSpec(
        key="james",
        display_name="James O'Neill",
        email="jim.oneill@example.net",
        language="en",
        identities=(
            IdentitySpec(kind=ChannelKind.X, external_id="290114873", handle="@jimoneill_dub"),
        ),
    ),
    CustomerSpec(
        key="priya",
        display_name="Priya Raman",
        email="priya.raman@example.org",
        language="en",
        identities=(
            IdentitySpec(kind=ChannelKind.WEB_CHAT, external_id="wc_a83e5f1027cd4b9e90aa"),
        ),
    ),
    CustomerSpec(
        key="hannelore",
        display_name="Hannelore Voss",
        email="h.voss@example.net",
        note="Schreibt lieber Briefe als Chats; bitte förmlich antworten.",
    ),
    CustomerSpec(
        key="finn",
        display_name="Finn Hoffmann",
        email="finn.hoffmann@example.com",
        identities=(
            IdentitySpec(
                kind=ChannelKind.X, external_id="1702245981", handle="@finn_hff", is_verified=True
            ),
            IdentitySpec(kind=ChannelKind.TELEGRAM, external_id="5127738412", handle="@finnhff"),
        ),
    ),
    CustomerSpec(
        key="merve",
        display_name="Merve Yılmaz",  # noqa: RUF001 -- Turkish dotless i in a name
        email="merve.yilmaz@example.org",
        identities=(
            IdentitySpec(
                kind=ChannelKind.FACEBOOK,
                external_id="4471905326614082",
                handle="Merve Yılmaz",  # noqa: RUF001 -- Turkish dotless i in a name
            ),
        ),
    ),
    CustomerSpec(
        key="lukas",
        display_name="Lukas Meier",
        email="lukas.meier@example.com",
        identities=(
            IdentitySpec(
                kind=ChannelKind.MASTODON,
                external_id="https://social.example.org/users/lukasmeier",
                handle="@lukasmeier@social.example.org",
            ),
        ),
    ),
    CustomerSpec(
        key="jasmin",
        display_name="Jasmin Koch",
        email="jasmin.koch@example.net",
        is_vip=True,
        note="Glasfaser 1000, arbeitet im Homeoffice (Videokonferenzen ab 9 Uhr).",
        identities=(
            IdentitySpec(
                kind=ChannelKind.WEB_CHAT, external_id="wc_c2907be41f6a4d13a5e8", is_verified=True
            ),
        ),
    ),
    CustomerSpec(
        key="peter",
        display_name="Dr. Peter Lindemann",
        email="p.lindemann@example.com",
        is_vip=True,
        note="Kanzlei Lindemann & Partner, Kiel: 12 Karten Business L. Kündigung liegt vor, "
        "Rückgewinnungsangebot mit Lena abgestimmt.",
    ),
    CustomerSpec(
        key="olga",
        display_name="Olga Nowak",
        email="olga.nowak@example.org",
        identities=(
            IdentitySpec(kind=ChannelKind.TELEGRAM, external_id="6039912875", handle="@olga_nowak"),
        ),
    ),
    CustomerSpec(
        key="tim",
        display_name="Tim Schröder",
        identities=(
            IdentitySpec(kind=ChannelKind.X, external_id="1199482036", handle="@timschroeder_sl"),
        ),
    ),
    CustomerSpec(
        key="charlotte",
        display_name="Charlotte Weber",
        email="charlotte.weber@example.com",
        identities=(
            IdentitySpec(
                kind=ChannelKind.FACEBOOK, external_id="6132870049915523", handle="Charlotte Weber"
            ),
        ),
    ),
    CustomerSpec(
        key="liam",
        display_name="Liam Walsh",
        language="en",
        identities=(
            IdentitySpec(
                kind=ChannelKind.MASTODON,
                external_id="https://mastodon.example.net/users/liamw",
                handle="@liamw@mastodon.example.net",
            ),
        ),
    ),
    CustomerSpec(
        key="sarah",
        display_name="Sarah Mitchell",
        email="sarah.mitchell@example.org",
        language="en",
        identities=(
            IdentitySpec(
                kind=ChannelKind.FACEBOOK, external_id="3908716624450198", handle="Sarah Mitchell"
            ),
        ),
    ),
    CustomerSpec(
        key="daniel",
        display_name="Daniel Okafor",
        email="d.okafor@example.com",
        language="en",
        identities=(
            IdentitySpec(
                kind=ChannelKind.TELEGRAM,
                external_id="7214406391",
                handle="@dokafor",
                is_verified=True,
            ),
        ),
    ),
    CustomerSpec(
        key="greta",
        display_name="Greta Lorenzen",
        email="greta.lorenzen@example.net",
        identities=(
            IdentitySpec(kind=ChannelKind.WEB_CHAT, external_id="wc_0b5d7e2293f84c61be07"),
        ),
    ),
)
