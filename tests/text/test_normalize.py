from __future__ import annotations

import pytest

from schwarmdesk.text.normalize import (
    clean,
    extract_emoji,
    fold_umlauts,
    normalize,
    split_camel_case,
)


def test_case_folding_and_nfkc() -> None:
    assert normalize(
        "\uff37\uff2c\uff21\uff2e \uff21\uff55\uff53\uff46\uff41\uff4c\uff4c"
    )  # full width == "wlan ausfall"
    assert normalize("Die STRASSE und die Straße") == "die strasse und die strasse"
    assert normalize("Ein ﬁxer Tarif") == "ein fixer tarif"


def test_control_and_format_characters() -> None:
    assert normalize("Rech\u00adnung\tfür\r\nMai\x00") == "rechnung für mai"
    assert normalize("\ufeffHallo\u200b") == "hallo"


def test_hashtags_become_words() -> None:
    assert normalize("#BahnChaos") == "bahn chaos"
    assert normalize("#9EuroTicket und #WLANAusfall") == "9 euro ticket und wlan ausfall"
    assert normalize("#bahn_chaos #Störung") == "bahn chaos störung"


def test_mentions_become_words() -> None:
    assert normalize("@DB_Bahn hilfe") == "db bahn hilfe"
    assert normalize("@TelekomHilfe @DBRegio") == "telekom hilfe db regio"


def test_urls_are_reduced_to_host_words() -> None:
    assert normalize("Siehe https://www.bahn.de/service/fahrplan?x=1.") == "siehe bahn"
    assert normalize("http://status.telekom-netz.de:8080/x") == "status telekom netz"
    assert normalize("www.example.com") == "example"
    assert normalize("http://192.168.0.1/login") == ""
    assert normalize("https://social.example.com/@Carol/1#top @Dave") == "social example dave"


def test_email_addresses_are_removed() -> None:
    assert normalize("Schreib an carol@example.com bitte") == "schreib an bitte"


def test_emoji_are_removed_but_extractable() -> None:
    text = "Danke 👍🏽 super 🇩🇪👨‍👩‍👧!! 1️⃣ ❤️"

    assert normalize(text) == "danke super !!"
    assert extract_emoji(text) == ["👍🏽", "🇩🇪", "👨‍👩‍👧", "1️⃣", "❤️"]


def test_typographic_apostrophes_become_plain() -> None:
    assert normalize("I don\u2019t know") == "i don't know"


def test_clean_keeps_capitals() -> None:
    assert clean("Mein #BahnChaos 😡 @DB_Bahn") == "Mein Bahn Chaos DB Bahn"


@pytest.mark.parametrize(
    ("word", "folded"),
    [
        ("straße", "strasse"),
        ("Müller", "Mueller"),
        ("Ärger über Öl", "Aerger ueber Oel"),
        ("STRAẞE", "STRASSE"),
        ("mu\u0308ller", "mueller"),
        ("router", "router"),
    ],
)
def test_fold_umlauts(word: str, folded: str) -> None:
    assert fold_umlauts(word) == folded


def test_both_spellings_meet_after_folding() -> None:
    assert fold_umlauts(normalize("Straße")) == fold_umlauts(normalize("Strasse"))
    assert fold_umlauts(normalize("Müller")) == fold_umlauts(normalize("Mueller"))


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("BahnChaos", ["Bahn", "Chaos"]),
        ("DBRegio", ["DB", "Regio"]),
        ("DB_Regio2", ["DB", "Regio", "2"]),
        ("iPhone15", ["i", "Phone", "15"]),
        ("wlan", ["wlan"]),
        ("ÄrgerÜberAlles", ["Ärger", "Über", "Alles"]),
        ("___", []),
    ],
)
def test_split_camel_case(name: str, parts: list[str]) -> None:
    assert split_camel_case(name) == parts
