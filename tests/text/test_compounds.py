from __future__ import annotations

import threading

import pytest

from schwarmdesk.text.compounds import SEED_WORDS, CompoundSplitter, default_splitter


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("Rechnungsadresse", ["rechnung", "adresse"]),  # Fugen-s
        ("Rechnungsadressen", ["rechnung", "adresse"]),  # inflected last part
        ("Kundenservice", ["kunde", "service"]),  # Fugen-n
        ("Tagesgeld", ["tag", "geld"]),  # Fugen-es
        ("Wartezeit", ["warte", "zeit"]),
        ("Störungsmeldung", ["stoerung", "meldung"]),
        ("Bahncardkundenservice", ["bahncard", "kunde", "service"]),  # three parts
        ("Schienenersatzverkehr", ["schiene", "ersatz", "verkehr"]),
        ("WLAN-Router", ["wlan", "router"]),  # hyphen
        ("E-Mail-Adresse", ["e", "mail", "adresse"]),
        ("WLAN-Kundenservice", ["wlan", "kunde", "service"]),  # hyphen, then split again
    ],
)
def test_default_splitter_splits_compounds(word: str, parts: list[str]) -> None:
    assert default_splitter().split(word) == parts


@pytest.mark.parametrize(
    ("word", "whole"),
    [
        ("Router", "router"),  # too short to split into two parts of three letters
        ("Verspätung", "verspaetung"),  # no known parts
        ("Ausfall", "ausfall"),  # "aus" is a stopword, not a part
        ("Bahnhof", "bahnhof"),  # a known word with no better split
        ("Passwort", "passwort"),  # known as a whole as often as its parts: fewer parts win
        ("iPhone15", "iphone15"),  # digits: never split
        ("Qwertzuiop", "qwertzuiop"),
    ],
)
def test_default_splitter_keeps_words_whole(word: str, whole: str) -> None:
    assert default_splitter().split(word) == [whole]


def test_seed_vocabulary_is_a_few_hundred_lowercase_words() -> None:
    assert len(SEED_WORDS) > 300
    assert all(word == word.lower() and word.isalpha() for word in SEED_WORDS)
    assert {"rechnung", "adresse", "router", "vertrag", "störung", "erstattung"} <= SEED_WORDS


def test_frequent_whole_word_is_not_split() -> None:
    splitter = CompoundSplitter({"bahn": 10, "hof": 10, "bahnhof": 500})

    assert splitter.split("Bahnhof") == ["bahnhof"]


@pytest.mark.parametrize(
    ("frequencies", "parts"),
    [
        ({"wach": 50, "stube": 50, "wachs": 5, "tube": 5}, ["wach", "stube"]),
        ({"wach": 5, "stube": 5, "wachs": 50, "tube": 50}, ["wachs", "tube"]),
        ({"wach": 5, "stube": 80, "wachs": 50, "tube": 5}, ["wach", "stube"]),  # 20 > 15.8
    ],
)
def test_geometric_mean_picks_the_split(frequencies: dict[str, int], parts: list[str]) -> None:
    assert CompoundSplitter(frequencies).split("Wachstube") == parts


def test_fewer_parts_are_preferred_on_a_tie() -> None:
    splitter = CompoundSplitter({"fahr": 10, "karte": 10, "fahrkarte": 10, "automat": 10})

    assert splitter.split("Fahrkartenautomat") == ["fahrkarte", "automat"]


def test_rare_words_are_not_parts() -> None:
    splitter = CompoundSplitter({"rechnung": 1, "adresse": 50}, min_frequency=2)

    assert splitter.split("Rechnungsadresse") == ["rechnungsadresse"]


def test_min_part_length() -> None:
    splitter = CompoundSplitter({"zug": 50, "ausfall": 50}, min_part_length=4)

    assert splitter.split("Zugausfall") == ["zugausfall"]


def test_add_grows_the_vocabulary() -> None:
    splitter = CompoundSplitter({})
    assert splitter.split("Glasfaseranschluss") == ["glasfaseranschluss"]

    splitter.add(["Glasfaser", "glasfaser", "Anschluss", "anschluss"])
    assert splitter.split("Glasfaseranschluss") == ["glasfaser", "anschluss"]

    splitter.add({"glasfaseranschluss": 1000})
    assert splitter.split("Glasfaseranschluss") == ["glasfaseranschluss"]


def test_frequency_folds_case_and_umlauts() -> None:
    splitter = CompoundSplitter({"Störung": 3})
    splitter.add({"stoerung": 2, "ignored": 0})

    assert splitter.frequency("STÖRUNG") == 5
    assert splitter.frequency("ignored") == 0


def test_invalid_min_part_length() -> None:
    with pytest.raises(ValueError, match="min_part_length"):
        CompoundSplitter({}, min_part_length=0)


def test_concurrent_splits_and_adds() -> None:
    splitter = default_splitter()
    results: list[list[str]] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        for number in range(100):
            parts = splitter.split("Rechnungsadresse")
            splitter.add([f"wort{index}x{number}"])
            with lock:
                results.append(parts)

    threads = [threading.Thread(target=work, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == [["rechnung", "adresse"]] * 400
