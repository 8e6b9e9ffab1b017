"""Index terms for German and English customer text.

The pipeline (the same for documents and queries):

1. :func:`~schwarmdesk.text.normalize.normalize`: NFKC, case folding, URLs → host words,
   ``@DB_Bahn`` → "db bahn", ``#BahnChaos`` → "bahn chaos", emoji removed;
2. :func:`tokenize`: words and numbers; tokens with a digit ("e-1043", "0x80070005",
   "iphone15", "12.03.2024") stay whole, other tokens split at ``-``, ``.`` and ``/``;
3. umlauts folded (:func:`~schwarmdesk.text.normalize.fold_umlauts`) *before* anything else
   looks at a token, so "Straße"/"Strasse" and "Müller"/"Mueller" give identical terms;
4. the language: given, or detected (``""`` = unknown: both stopword lists, German stemming);
5. stopwords and single letters dropped (negations are not stopwords);
6. Snowball stemming (PyStemmer); tokens with digits are kept as they are;
7. German only: a compound adds the stems of its parts *after* its own stem, so
   "Rechnungsadresse" → ["rechnungsadress", "rechnung", "adress"] and "Adresse der Rechnung"
   → ["adress", "rechnung"].

:func:`analyze` keeps repeated terms (term frequency counts for ranking); :func:`analyze_query`
drops repeats, and when it cannot tell the language of a short query with confidence
(:data:`QUERY_CONFIDENCE`) it produces the German and the English terms, so "Router" matches
"WLAN-Router" in a German text although it looks English on its own.
"""

from __future__ import annotations

import functools
import importlib
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol, cast

from schwarmdesk.text.compounds import CompoundSplitter, default_splitter
from schwarmdesk.text.language import detect_language
from schwarmdesk.text.normalize import fold_umlauts, normalize
from schwarmdesk.text.stopwords import stopwords_for

DEFAULT_LANGUAGE = "de"
"""How text of unknown language is stemmed (Schwarmdesk serves German companies first)."""
QUERY_CONFIDENCE = 0.9
"""Below this detection confidence a query gets the terms of both languages."""
SNOWBALL_ALGORITHMS = {"de": "german", "en": "english"}

_TOKEN = re.compile(r"[^\W_]+(?:[-./'][^\W_]+)*")
_SEPARATORS = re.compile(r"[-./]")
_DIGIT = re.compile(r"\d")


class _Stemmer(Protocol):
    """The part of ``Stemmer.Stemmer`` (PyStemmer ships no types) used here."""

    def stemWord(self, word: str) -> str: ...


_stemmers = threading.local()


def tokenize(text: str) -> list[str]:
    """The tokens of :func:`normalize` (``text``), before stopwords and stemming."""
    return _tokens(normalize(text))


def analyze(
    text: str, language: str | None = None, *, splitter: CompoundSplitter | None = None
) -> list[str]:
    """The index terms of ``text`` ("de", "en"; ``None``: detect; anything else: unknown)."""
    tokens = [fold_umlauts(token) for token in tokenize(text)]
    if language is None:
        language = detect_language(" ".join(tokens)).code
    return _terms(tokens, language, _splitter(splitter))


def analyze_query(
    text: str,
    language: str | None = None,
    *,
    splitter: CompoundSplitter | None = None,
    written_in: str = "",
) -> list[str]:
    """The terms of a search query: :func:`analyze`'s pipeline, each term once.

    With ``language=None`` and a query too short to identify with confidence, the terms of the
    German and the English analysis are both returned (German first).  ``written_in`` names
    the language the query is known to be written in, when it is analysed for documents of
    another: that language's stopwords go too ("what has my card" analysed for German
    documents keeps "card", not "what", "has" and "my").
    """
    tokens = [fold_umlauts(token) for token in tokenize(text)]
    chosen = _splitter(splitter)
    if language is None:
        guess = detect_language(" ".join(tokens))
        if not guess.code or guess.confidence < QUERY_CONFIDENCE:
            german = _terms(tokens, "de", chosen, stopword_language="")
            english = _terms(tokens, "en", chosen, stopword_language="")
            return _unique(german + english)
        language = guess.code
    extra = stopwords_for(written_in) if written_in and written_in != language else frozenset()
    return _unique(_terms(tokens, language, chosen, extra_stopwords=extra))


@dataclass(frozen=True)
class Analyzer:
    """:func:`analyze` and :func:`analyze_query` bound to one compound splitter."""

    splitter: CompoundSplitter = field(default_factory=default_splitter)

    def analyze(self, text: str, language: str | None = None) -> list[str]:
        return analyze(text, language, splitter=self.splitter)

    def analyze_query(self, text: str, language: str | None = None) -> list[str]:
        return analyze_query(text, language, splitter=self.splitter)


def _tokens(normalized: str) -> list[str]:
    tokens: list[str] = []
    for match in _TOKEN.finditer(normalized):
        token = match.group()
        if _DIGIT.search(token):
            tokens.append(token)  # a number, date, version or error code: one token
        else:
            tokens.extend(piece for piece in _SEPARATORS.split(token) if piece)
    return tokens


def _terms(
    tokens: Iterable[str],
    language: str,
    splitter: CompoundSplitter,
    *,
    stopword_language: str | None = None,
    extra_stopwords: frozenset[str] = frozenset(),
) -> list[str]:
    """Terms of umlaut-folded tokens; ``stopword_language`` overrides whose stopwords go."""
    stopwords = stopwords_for(language if stopword_language is None else stopword_language)
    if extra_stopwords:
        stopwords = stopwords | extra_stopwords
    if language not in SNOWBALL_ALGORITHMS:
        language = DEFAULT_LANGUAGE
    stemmer = _stemmer(language)
    is_german = language == "de"
    terms: list[str] = []
    for token in tokens:
        if token in stopwords or (len(token) == 1 and not token.isdigit()):
            continue
        if _DIGIT.search(token):
            terms.append(token)
            continue
        stem = stemmer.stemWord(token)
        terms.append(stem or token)
        if is_german:
            parts = splitter.split(token)
            if len(parts) > 1:
                terms.extend(stemmer.stemWord(part) or part for part in parts)
    return terms


def _unique(terms: list[str]) -> list[str]:
    return list(dict.fromkeys(terms))


def _stemmer(language: str) -> _Stemmer:
    """This thread's Snowball stemmer (PyStemmer objects must not be shared between threads)."""
    cache: dict[str, _Stemmer] | None = getattr(_stemmers, "by_language", None)
    if cache is None:
        cache = {}
        _stemmers.by_language = cache
    stemmer = cache.get(language)
    if stemmer is None:
        # through importlib: PyStemmer ships no type information (see _Stemmer)
        module = importlib.import_module("Stemmer")
        stemmer = cast("_Stemmer", module.Stemmer(SNOWBALL_ALGORITHMS[language]))
        cache[language] = stemmer
    return stemmer


def _splitter(splitter: CompoundSplitter | None) -> CompoundSplitter:
    return splitter if splitter is not None else _default_splitter()


@functools.cache
def _default_splitter() -> CompoundSplitter:
    return default_splitter()
