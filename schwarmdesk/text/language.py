"""Offline language identification with py3langid (BSD; the model ships inside the package).

The full model knows ~100 languages; a customer message is German or English, so the identifier
is restricted to the candidate languages and returns normalised probabilities over them.  Short
or letter-less text ("ok", "👍", "1234") gets the code "" rather than a coin toss.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from typing import Protocol, cast

from schwarmdesk.text.normalize import clean

MIN_LETTERS = 3
"""Fewer letters than this cannot tell German from English."""


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    code: str
    """"de", "en", … or "" when the text is too short or has no letters."""
    confidence: float
    """Probability of ``code`` among the candidates, 0..1 (0.0 for "")."""


class _Identifier(Protocol):
    """The part of ``py3langid.langid.LanguageIdentifier`` used here (it ships no types)."""

    def classify(self, text: str) -> tuple[str, float]: ...

    def set_languages(self, langs: list[str] | None = None) -> None: ...


_lock = threading.Lock()
_base_model: object | None = None
_identifiers: dict[tuple[str, ...], _Identifier] = {}


def detect_language(text: str, *, candidates: tuple[str, ...] = ("de", "en")) -> LanguageGuess:
    """Guess which of ``candidates`` ``text`` is written in.

    URLs, mentions, e-mail addresses and emoji are removed first and hashtags split into words
    (see :func:`schwarmdesk.text.normalize.clean`).  Raises ``ValueError`` for no candidates or a
    code the model does not know.
    """
    if not candidates:
        raise ValueError("detect_language needs at least one candidate language")
    cleaned = clean(text)
    if sum(char.isalpha() for char in cleaned) < MIN_LETTERS:
        return LanguageGuess("", 0.0)
    key = tuple(sorted(set(candidates)))
    identifier = _identifier(key)
    if len(key) == 1:
        return LanguageGuess(key[0], 1.0)
    code, probability = identifier.classify(cleaned)
    confidence = min(max(float(probability), 0.0), 1.0)
    if confidence <= 1.0 / len(key) + 1e-6:  # uniform: the model saw no evidence at all
        return LanguageGuess("", 0.0)
    return LanguageGuess(str(code), confidence)


def _identifier(languages: tuple[str, ...]) -> _Identifier:
    identifier = _identifiers.get(languages)
    if identifier is not None:
        return identifier
    with _lock:
        identifier = _identifiers.get(languages)
        if identifier is None:
            identifier = _restricted_identifier(languages)
            _identifiers[languages] = identifier
        return identifier


def _restricted_identifier(languages: tuple[str, ...]) -> _Identifier:
    """A new identifier sharing the loaded model's arrays, restricted to ``languages``.

    One identifier per candidate set: ``set_languages`` mutates the identifier, so a shared one
    could change under a concurrent ``classify``.  Called with ``_lock`` held.
    """
    global _base_model  # noqa: PLW0603 - the lazily loaded model is a process-wide cache
    # imported lazily (the model takes ~0.5 s to load) and through importlib: py3langid ships no
    # type information, and this keeps mypy from needing an ignore_missing_imports override
    langid = importlib.import_module("py3langid.langid")
    if _base_model is None:
        _base_model = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
    base = cast("_Model", _base_model)
    identifier = cast(
        "_Identifier",
        langid.LanguageIdentifier(
            base.nb_ptc,
            base.nb_pc,
            base.nb_classes,
            base.tk_nextmove,
            base.tk_output,
            norm_probs=True,
            tk_row=base.tk_row,
        ),
    )
    identifier.set_languages(list(languages))
    return identifier


class _Model(Protocol):
    nb_ptc: object
    nb_pc: object
    nb_classes: list[str]
    tk_nextmove: object
    tk_output: object
    tk_row: object
