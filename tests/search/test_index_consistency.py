"""The index follows the content in one transaction: never stale, missing or deleted-but-found."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

from schwarmdesk.search.indexing import IndexEntry, index_document, remove_document
from schwarmdesk.search.models import Audience, Kind, Posting, SearchDocument, Term
from schwarmdesk.search.queries import search

WORDS = [
    "rechnung", "router", "verspätung", "erstattung", "passwort", "tarif", "roaming",
    "vertrag", "umzug", "störung", "invoice", "refund", "login", "delay", "fibre", "esim",
]  # fmt: skip
titles = st.lists(st.sampled_from(WORDS), min_size=2, max_size=4, unique=True).map(" ".join)


def article(object_id: int, title: str) -> IndexEntry:
    return IndexEntry(
        kind=Kind.ARTICLE,
        object_id=object_id,
        audience=Audience.PUBLIC,
        title=title,
        body=f"Hilfe zum Thema {title}.",
        language="de",
    )


def found_ids(title: str) -> list[int]:
    return [hit.object_id for hit in search(None, title, kinds=[Kind.ARTICLE], limit=50)]


class IndexMachine(RuleBasedStateMachine):
    """Create, edit, hide, show and delete articles in any order; search stays exact."""

    items = Bundle("items")

    def __init__(self) -> None:
        super().__init__()
        self.live: dict[int, str] = {}
        self.hidden: dict[int, str] = {}
        self.next_id = 1

    @rule(target=items, title=titles)
    def create(self, title: str) -> int:
        object_id = self.next_id
        self.next_id += 1
        with transaction.atomic():
            index_document(article(object_id, title))
        self.live[object_id] = title
        return object_id

    @rule(object_id=items, title=titles)
    def edit(self, object_id: int, title: str) -> None:
        if object_id in self.live:
            with transaction.atomic():
                index_document(article(object_id, title))
            self.live[object_id] = title

    @rule(object_id=items)
    def hide(self, object_id: int) -> None:
        if object_id in self.live:
            remove_document(Kind.ARTICLE, object_id)
            self.hidden[object_id] = self.live.pop(object_id)

    @rule(object_id=items)
    def show(self, object_id: int) -> None:
        if object_id in self.hidden:
            title = self.hidden.pop(object_id)
            index_document(article(object_id, title))
            self.live[object_id] = title

    @rule(object_id=consumes(items))
    def delete(self, object_id: int) -> None:
        remove_document(Kind.ARTICLE, object_id)
        self.live.pop(object_id, None)
        self.hidden.pop(object_id, None)

    @rule(object_id=items, title=titles)
    def failed_edit_changes_nothing(self, object_id: int, title: str) -> None:
        # an edit whose transaction fails leaves the old entry in place
        with pytest.raises(RuntimeError), transaction.atomic():
            index_document(article(object_id, title))
            raise RuntimeError("the content's own write failed")

    @invariant()
    def search_is_exact(self) -> None:
        gone = set(self.hidden) | (set(range(1, self.next_id)) - set(self.live))
        for object_id, title in self.live.items():
            ids = found_ids(title)
            assert object_id in ids, f"live item {object_id} {title!r} not found"
        for title in set(self.live.values()) | set(self.hidden.values()):
            assert not gone & set(found_ids(title)), "a deleted or hidden item was found"
        assert SearchDocument.objects.count() == len(self.live)
        # and every term's document count is the number of live documents holding it
        held = Counter(Posting.objects.values_list("term__text", flat=True))
        counted = dict(
            Term.objects.filter(document_count__gt=0).values_list("text", "document_count")
        )
        assert counted == dict(held)


@pytest.mark.django_db
def test_index_stays_consistent_under_any_sequence() -> None:
    machine = settings(
        max_examples=25,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )(IndexMachine)
    # each example starts from an empty index
    original_init = machine.__init__

    def fresh_init(self: IndexMachine) -> None:
        SearchDocument.objects.all().delete()
        Term.objects.all().delete()
        original_init(self)

    machine.__init__ = fresh_init  # type: ignore[method-assign]  # reset the table per example
    machine.TestCase().runTest()


@pytest.mark.django_db
def test_old_fulltext_structures_are_gone_after_migrations() -> None:
    # the postings replaced FTS5 / tsvector: no trigger or column may keep writing into them
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'search_fts%'")
        else:
            cursor.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'search_searchdocument' AND column_name = 'terms_tsv'"
            )
        assert cursor.fetchall() == []


@pytest.mark.django_db
def test_error_codes_and_compounds_are_found() -> None:
    index_document(
        IndexEntry(
            kind=Kind.ARTICLE,
            object_id=1,
            audience=Audience.PUBLIC,
            title="Rechnungsadresse ändern",
            body="So ändern Sie die Adresse für Ihre Rechnung im Kundenkonto.",
            language="de",
        )
    )
    index_document(
        IndexEntry(
            kind=Kind.ARTICLE,
            object_id=2,
            audience=Audience.PUBLIC,
            title="Fehler E-1043 beim WLAN-Router",
            body="Der Router zeigt E-1043, wenn die Leitung nicht synchronisiert.",
            language="de",
        )
    )
    assert [h.object_id for h in search(None, "Adresse der Rechnung")][:1] == [1]
    assert [h.object_id for h in search(None, "E-1043")] == [2]
    assert [h.object_id for h in search(None, "router")][:1] == [2]
    assert [h.object_id for h in search(None, "Strasse")] == []
