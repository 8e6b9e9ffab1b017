from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schwarmdesk.text.analysis import Analyzer, analyze, analyze_query, tokenize
from schwarmdesk.text.compounds import CompoundSplitter
from schwarmdesk.text.normalize import fold_umlauts

Analyse = Callable[..., list[str]]


def test_tokenize_keeps_codes_whole() -> None:
    assert tokenize("Fehler E-1043 und 0x80070005 auf dem iPhone15, Version 2.3.1") == [
        "fehler",
        "e-1043",
        "und",
        "0x80070005",
        "auf",
        "dem",
        "iphone15",
        "version",
        "2.3.1",
    ]


def test_tokenize_splits_hyphens_dots_and_slashes_of_words() -> None:
    assert tokenize("WLAN-Router z.B. und/oder bahn_chaos") == [
        "wlan",
        "router",
        "z",
        "b",
        "und",
        "oder",
        "bahn",
        "chaos",
    ]


def test_tokenize_keeps_contractions() -> None:
    assert tokenize("I don\u2019t know, it's fine") == ["i", "don't", "know", "it's", "fine"]


def test_german_sentence() -> None:
    assert analyze("Mein Zug hat schon wieder 20 Minuten Verspätung #BahnChaos") == [
        "zug",
        "20",
        "minut",
        "verspat",
        "bahn",
        "chaos",
    ]


def test_english_sentence() -> None:
    assert analyze("My router keeps dropping the connection") == [
        "router",
        "keep",
        "drop",
        "connect",
    ]


def test_english_stemming_joins_inflections() -> None:
    assert analyze("connections", "en") == analyze("connection", "en") == ["connect"]
    assert analyze("The connections keep dropping") == ["connect", "keep", "drop"]


@pytest.mark.parametrize("analyse", [analyze, analyze_query])
@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Straße", "Strasse"),
        ("Müller", "Mueller"),
        ("Herr Müller wohnt in der Hauptstraße", "Herr Mueller wohnt in der Hauptstrasse"),
        ("Die Störung für Köln", "Die Stoerung fuer Koeln"),
        ("MÜLLER", "müller"),
    ],
)
def test_umlaut_spellings_give_identical_terms(analyse: Analyse, one: str, other: str) -> None:
    for language in ("de", "en", None):
        assert analyse(one, language) == analyse(other, language)


def test_umlaut_terms_have_exact_values() -> None:
    assert analyze("Straße", "de") == ["strass"]
    assert analyze("Herr Müller", "de") == ["herr", "mull"]
    assert analyze("für", "de") == analyze("fuer", "de") == []  # a stopword in both spellings


def test_hashtags_give_the_terms_of_their_words() -> None:
    assert analyze("#BahnChaos", "de") == analyze("Bahn Chaos", "de") == ["bahn", "chaos"]


def test_mentions_give_the_terms_of_their_words() -> None:
    assert analyze("@DB_Bahn @TelekomHilfe", "de") == ["db", "bahn", "telekom", "hilf"]


def test_urls_give_host_words_only() -> None:
    assert analyze("Siehe https://www.bahn.de/service/fahrplan?id=42", "de") == ["sieh", "bahn"]


def test_emoji_are_not_terms() -> None:
    assert analyze("Router kaputt 😡😡 👎🏽", "de") == ["rout", "kaputt"]


def test_compound_adds_its_parts_after_its_own_stem() -> None:
    assert analyze("Rechnungsadresse", "de") == ["rechnungsadress", "rechnung", "adress"]


def test_compound_is_found_by_its_parts() -> None:
    document = set(analyze("Wie ändere ich meine Rechnungsadresse?"))
    query = analyze_query("Adresse der Rechnung")

    assert query == ["adress", "rechnung"]
    assert {"rechnung", "adress"} <= document


def test_hyphenated_compound_is_found_by_its_last_part() -> None:
    document = analyze("Mein WLAN-Router verliert ständig die Verbindung")
    query = analyze_query("Router")

    assert document == ["wlan", "rout", "verliert", "standig", "verbind"]
    assert query == ["rout", "router"]  # too short to tell: German and English terms
    assert "rout" in document


def test_closed_compound_is_found_by_its_last_part() -> None:
    assert analyze("WLANRouter", "de") == ["wlanrout", "wlan", "rout"]


def test_three_part_compound() -> None:
    assert analyze("Bahncardkundenservice", "de") == [
        "bahncardkundenservic",
        "bahncard",
        "kund",
        "servic",
    ]


def test_english_words_are_not_split() -> None:
    assert analyze("passwordreset", "en") == ["passwordreset"]


def test_a_custom_splitter_is_used() -> None:
    splitter = CompoundSplitter({"glasfaser": 10, "anschluss": 10})

    assert analyze("Glasfaseranschluss", "de", splitter=splitter) == [
        "glasfaseranschluss",
        "glasfas",
        "anschluss",
    ]
    assert Analyzer(splitter).analyze("Glasfaseranschluss", "de") == [
        "glasfaseranschluss",
        "glasfas",
        "anschluss",
    ]
    assert Analyzer(splitter).analyze_query("Glasfaser Glasfaser", "de") == ["glasfas"]


@pytest.mark.parametrize(
    ("text", "language", "terms"),
    [
        ("Der Router funktioniert nicht", "de", ["rout", "funktioniert", "nicht"]),
        ("Ich habe keine Rechnung bekommen", "de", ["kein", "rechnung", "bekomm"]),
        ("Das hat nie funktioniert", "de", ["nie", "funktioniert"]),
        ("The router does not work", "en", ["router", "not", "work"]),
        ("No refund, never again", "en", ["no", "refund", "never"]),
        ("I don't get any signal", "en", ["don't", "get", "signal"]),
    ],
)
def test_negations_are_kept(text: str, language: str, terms: list[str]) -> None:
    assert analyze(text, language) == terms


def test_stopwords_of_the_language_are_dropped() -> None:
    assert analyze("Ich habe das mit dem Vertrag und der Rechnung", "de") == [
        "vertrag",
        "rechnung",
    ]
    assert analyze("I have a problem with the bill and the contract", "en") == [
        "problem",
        "bill",
        "contract",
    ]


def test_unknown_language_drops_both_stopword_lists() -> None:
    assert analyze("the der and und Vertrag", "") == ["vertrag"]


def test_error_codes_are_kept_whole() -> None:
    assert analyze("Fehler E-1043 beim Update (0x80070005) auf dem iPhone15") == [
        "fehl",
        "e-1043",
        "updat",
        "0x80070005",
        "iphone15",
    ]
    assert analyze_query("E-1043") == ["e-1043"]


def test_analyze_keeps_repeats_and_analyze_query_drops_them() -> None:
    assert analyze("Störung Störung Störung", "de") == ["storung", "storung", "storung"]
    assert analyze_query("Störung Störung Störung", "de") == ["storung"]


def test_empty_and_symbol_only_text() -> None:
    assert analyze("") == []
    assert analyze_query("") == []
    assert analyze("?! 😡 … ---") == []


def test_analysis_from_many_threads_agrees() -> None:
    expected = analyze("Rechnungsadresse der Kundin", "de")
    results: list[list[str]] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(100):
            terms = analyze("Rechnungsadresse der Kundin", "de")
            with lock:
                results.append(terms)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == [expected] * 400


@settings(max_examples=300, deadline=None)
@given(text=st.text(), language=st.sampled_from([None, "de", "en", "", "fr"]))
def test_analyze_returns_clean_terms_for_any_text(text: str, language: str | None) -> None:
    for terms in (analyze(text, language), analyze_query(text, language)):
        for term in terms:
            assert term
            assert term == term.lower()
            assert not any(char.isspace() for char in term)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet="aäoöuüsßeAÄOÖUÜSẞE rtnhgk.-", max_size=40),
    language=st.sampled_from([None, "de", "en", ""]),
)
def test_umlaut_spelling_never_changes_terms(text: str, language: str | None) -> None:
    assert analyze(text, language) == analyze(fold_umlauts(text), language)


def test_a_query_analysed_for_other_documents_drops_its_own_stopwords() -> None:
    query = "What do I need to verify the source of my funds?"
    # for German documents an English query keeps its content words only
    assert analyze_query(query, "de", written_in="en") == ["need", "verify", "sourc", "fund"]
    # without knowing the query's language, English function words pass the German analysis
    assert {"what", "my"} <= set(analyze_query(query, "de"))
    # in its own language nothing changes
    assert analyze_query(query, "en", written_in="en") == analyze_query(query, "en")
    # German queries for English documents: "die", "der", "und" go, negations stay
    assert analyze_query("Die Karte geht nicht und der Automat", "en", written_in="de") == [
        "kart",
        "geht",
        "nicht",
        "automat",
    ]
