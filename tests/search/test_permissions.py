"""Who finds what: a permission matrix over every kind of reader."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.contrib.auth.models import AnonymousUser, User

from schwarmdesk.people.models import Agent, Team
from schwarmdesk.search.indexing import IndexEntry, index_document
from schwarmdesk.search.models import Audience, Kind, Posting
from schwarmdesk.search.queries import search

TEXT = "Erstattung Fahrpreis Zugausfall"


@pytest.fixture
def documents(travel_team: Team, tech_team: Team) -> dict[str, int]:
    entries = {
        "public article": IndexEntry(
            kind=Kind.ARTICLE, object_id=1, audience=Audience.PUBLIC, title=TEXT, language="de"
        ),
        "travel conversation": IndexEntry(
            kind=Kind.CONVERSATION,
            object_id=2,
            audience=Audience.AGENTS,
            team_id=travel_team.pk,
            title=TEXT,
            language="de",
        ),
        "tech conversation": IndexEntry(
            kind=Kind.CONVERSATION,
            object_id=3,
            audience=Audience.AGENTS,
            team_id=tech_team.pk,
            title=TEXT,
            language="de",
        ),
        "unassigned conversation": IndexEntry(
            kind=Kind.CONVERSATION,
            object_id=4,
            audience=Audience.AGENTS,
            title=TEXT,
            language="de",
        ),
    }
    for entry in entries.values():
        index_document(entry)
    return {name: entry.object_id for name, entry in entries.items()}


ALL = {"public article", "travel conversation", "tech conversation", "unassigned conversation"}


@pytest.mark.parametrize(
    ("reader", "expected"),
    [
        ("anonymous", {"public article"}),
        ("customer carol", {"public article"}),
        ("inactive agent", {"public article"}),
        (
            "agent alice (travel)",
            {"public article", "travel conversation", "unassigned conversation"},
        ),
        ("agent bob (tech)", {"public article", "tech conversation", "unassigned conversation"}),
        ("administrator", ALL),
    ],
)
def test_search_returns_only_what_the_reader_may_see(
    reader: str, expected: set[str], documents: dict[str, int], alice: Agent, bob: Agent
) -> None:
    users: dict[str, User | AnonymousUser] = {
        "anonymous": AnonymousUser(),
        "customer carol": User.objects.create_user("carol", password="pw"),
        "agent alice (travel)": alice.user,
        "agent bob (tech)": bob.user,
        "administrator": User.objects.create_superuser("root", password="pw"),
    }
    if reader == "inactive agent":
        alice.user.is_active = False
        alice.user.save(update_fields=["is_active"])
        user: User | AnonymousUser = alice.user
    else:
        user = users[reader]
    hits = search(user, TEXT, limit=20)
    by_id = {(hit.kind, hit.object_id) for hit in hits}
    names = {name for name, object_id in documents.items() if (_kind(name), object_id) in by_id}
    assert names == expected
    assert len(hits) == len(expected)


def _kind(name: str) -> str:
    return Kind.ARTICLE if name == "public article" else Kind.CONVERSATION


def test_public_hit_is_found_behind_many_private_matches(db: None) -> None:
    # given more agent-only matches than the fast path fetches, all ranked above the article
    for number in range(1, 402):
        index_document(
            IndexEntry(
                kind=Kind.CONVERSATION,
                object_id=number,
                audience=Audience.AGENTS,
                title="Router Router Störung",
                body="Router",
                language="de",
            )
        )
    index_document(
        IndexEntry(
            kind=Kind.ARTICLE,
            object_id=1,
            audience=Audience.PUBLIC,
            title="Hilfe bei Problemen mit dem Internetanschluss",
            body="Starten Sie den Router neu.",
            language="de",
        )
    )
    # then an anonymous reader still finds the one public article
    hits = search(None, "Router")
    assert [(h.kind, h.object_id) for h in hits] == [(Kind.ARTICLE, 1)]


def test_a_document_changing_audience_moves_with_it(alice: Agent, travel_team: Team) -> None:
    # given many public matches ranked above a conversation with the same terms
    for number in range(1, 402):
        index_document(
            IndexEntry(
                kind=Kind.ARTICLE,
                object_id=number,
                audience=Audience.PUBLIC,
                title="Router Router Störung",
                body="Router",
                language="de",
            )
        )
    entry = IndexEntry(
        kind=Kind.CONVERSATION,
        object_id=1,
        audience=Audience.PUBLIC,
        team_id=travel_team.pk,
        title="Router",
        body="Der Router blinkt",
        language="de",
    )
    index_document(entry)
    assert (Kind.CONVERSATION, 1) in {(h.kind, h.object_id) for h in search(None, "blinkt")}

    # when only its audience changes (same text, same terms)
    index_document(replace(entry, audience=Audience.AGENTS))

    # then customers no longer find it and its team's agents still do
    assert search(None, "blinkt") == []
    hits = search(alice.user, "blinkt")
    assert [(h.kind, h.object_id) for h in hits] == [(Kind.CONVERSATION, 1)]
    assert Posting.objects.filter(document__kind=Kind.CONVERSATION, public=True).count() == 0

    # and when it is made public again, customers find it again
    index_document(entry)
    assert [(h.kind, h.object_id) for h in search(None, "blinkt")] == [(Kind.CONVERSATION, 1)]
