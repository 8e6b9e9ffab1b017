from __future__ import annotations

import threading

import pytest

from schwarmdesk.text.language import LanguageGuess, detect_language


@pytest.mark.parametrize(
    "text",
    [
        "Mein Zug hat schon wieder 20 Minuten Verspätung #BahnChaos",
        "@DB_Bahn warum fällt der ICE nach Köln aus?? 😡",
        "Seit gestern kein Internet, die Störung ist immer noch nicht behoben",
        "Adresse der Rechnung ändern",
        "Kündigung",
    ],
)
def test_german_texts_are_detected_as_german(text: str) -> None:
    guess = detect_language(text)

    assert guess.code == "de"
    assert 0.9 < guess.confidence <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "My router keeps dropping the connection",
        "@TelekomHilfe why is my bill so high this month? https://example.com/bill",
        "The train is late again #fail",
        "thanks, that fixed it",
    ],
)
def test_english_texts_are_detected_as_english(text: str) -> None:
    guess = detect_language(text)

    assert guess.code == "en"
    assert 0.9 < guess.confidence <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "ok", "1234", "👍🙂", "https://192.168.0.1/login"])
def test_text_without_enough_letters_has_no_language(text: str) -> None:
    assert detect_language(text) == LanguageGuess("", 0.0)


def test_a_single_candidate_is_certain() -> None:
    assert detect_language("Router kaputt", candidates=("en",)) == LanguageGuess("en", 1.0)


def test_other_candidates_can_be_chosen() -> None:
    guess = detect_language("Mon train a encore du retard", candidates=("de", "en", "fr"))

    assert guess.code == "fr"


def test_no_candidates_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one candidate"):
        detect_language("Hallo Welt", candidates=())


def test_unknown_candidate_is_an_error() -> None:
    with pytest.raises(ValueError, match="Unknown language"):
        detect_language("Hallo Welt", candidates=("de", "xx"))


def test_guess_is_frozen() -> None:
    guess = detect_language("Mein Zug ist zu spät")

    with pytest.raises(AttributeError):
        guess.code = "en"  # type: ignore[misc]  # the point: frozen dataclasses refuse it


def test_detection_from_many_threads_agrees() -> None:
    texts = ["Mein Zug ist schon wieder zu spät", "My router keeps dropping the connection"]
    results: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(50):
            for text in texts:
                code = detect_language(text).code
                with lock:
                    results.append(code)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results.count("de") == 200
    assert results.count("en") == 200
