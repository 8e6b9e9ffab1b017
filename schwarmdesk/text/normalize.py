"""Unicode and social-media normalisation of customer text.

:func:`normalize` turns a message into plain, case-folded words separated by single spaces:

1. emoji are removed (:func:`extract_emoji` returns them for sentiment),
2. typographic apostrophes (U+2019 …) become ``'`` (so "don't" stays one word),
3. NFKC (full-width letters, ligatures, superscripts become plain characters),
4. control characters become spaces, invisible format characters (soft hyphen, zero-width
   joiners, bidi marks) are dropped so "Rech\\u00adnung" stays "Rechnung",
5. e-mail addresses are dropped (personal data, useless as search terms), URLs are reduced to
   the words of their host ("https://www.bahn.de/service" → "bahn"), ``@DB_Bahn`` and
   ``#BahnChaos`` become their words ("db bahn", "bahn chaos"),
6. case folding (``str.casefold``: "Straße" → "strasse") and NFC.

Umlauts survive :func:`normalize` (language identification wants them).  Analysis folds them with
:func:`fold_umlauts` *before* stemming, so "Müller"/"Mueller" and "Straße"/"Strasse" reach the
stemmer as the same string and always produce the same terms, whatever the stemmer does.
"""

from __future__ import annotations

import re
import unicodedata

_EMOJI_BASE = (
    "[\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u23cf"
    "\u23e9-\u23f3\u23f8-\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe\u2600-\u27bf"
    "\u2934\u2935\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d\u3297\u3299"
    "\U0001f000-\U0001faff]"
)
# variation selectors, skin tones, tag characters (subdivision flags)
_EMOJI_MODIFIER = "[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]"
_EMOJI = re.compile(
    f"(?=[0-9#*\U0001f1e6-\U0001f1ff]|{_EMOJI_BASE})"  # one cheap test per position first
    "(?:[\U0001f1e6-\U0001f1ff]{2}"  # flag: a pair of regional indicators
    "|[0-9#*]\ufe0f?\u20e3"  # keycap
    f"|{_EMOJI_BASE}{_EMOJI_MODIFIER}*(?:\u200d{_EMOJI_BASE}{_EMOJI_MODIFIER}*)*)"
)
_APOSTROPHES = re.compile("[\u2018\u2019\u02bc\u0060\u00b4\u2032]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Unicode category Cf (format characters), Unicode 14
_FORMAT = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f]"
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"\b(?:[a-z][a-z0-9+.-]*://|www\.)[^\s<>\"]+", re.IGNORECASE)
_URL_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@(\w+)")
_HASHTAG = re.compile(r"(?<![\w&#])#(\w+)")
_HOST_NOISE = frozenset({"www", "m", "mobile"})

_UMLAUTS = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "ß": "ss",
        "Ä": "Ae",
        "Ö": "Oe",
        "Ü": "Ue",
        "ẞ": "SS",
    }
)


def normalize(text: str) -> str:
    """Case-folded plain words of ``text``; see the module docstring for the steps."""
    return unicodedata.normalize("NFC", clean(text).casefold()).lower()


def clean(text: str) -> str:
    """:func:`normalize` without case folding (language identification likes capitals)."""
    if not text.isascii():  # every emoji, even a keycap, has a non-ASCII character
        text = _EMOJI.sub(" ", text)
    text = _APOSTROPHES.sub("'", text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        text = _FORMAT.sub("", text)
    text = _CONTROL.sub(" ", text)
    # the cheap substring tests spare most messages the slower patterns
    has_at = "@" in text
    if has_at:
        text = _EMAIL.sub(" ", text)
    if "://" in text or "www." in text.casefold():
        text = _URL.sub(_host_words, text)  # before mentions: "https://example.com/@carol"
    if has_at:
        text = _MENTION.sub(_split_name, text)
    if "#" in text:
        text = _HASHTAG.sub(_split_name, text)
    return " ".join(text.split())


def fold_umlauts(word: str) -> str:
    """Spell umlauts and ß out: "Straße" → "Strasse", "müller" → "mueller"."""
    if "\u0308" in word:  # a decomposed umlaut ("u" + combining diaeresis)
        word = unicodedata.normalize("NFC", word)
    return word.translate(_UMLAUTS)


def extract_emoji(text: str) -> list[str]:
    """The emoji of ``text`` in order, each with its skin tone / ZWJ sequence ("👍🏽", "🇩🇪")."""
    return _EMOJI.findall(text)


def split_camel_case(name: str) -> list[str]:
    """Words of a hashtag or handle: "BahnChaos" → ["Bahn", "Chaos"], "DB_Regio2" → DB Regio 2.

    Boundaries: lower → upper ("bahnChaos"), the last capital of an acronym before a lower-case
    letter ("DBRegio"), letters ↔ digits ("ICE4"), and every non-alphanumeric character.
    """
    parts: list[str] = []
    current: list[str] = []
    for index, char in enumerate(name):
        if not char.isalnum():
            _flush(parts, current)
            continue
        if current:
            previous = current[-1]
            following = name[index + 1] if index + 1 < len(name) else ""
            if (
                (previous.islower() and char.isupper())
                or previous.isdigit() != char.isdigit()
                or (previous.isupper() and char.isupper() and following.islower())
            ):
                _flush(parts, current)
        current.append(char)
    _flush(parts, current)
    return parts


def _flush(parts: list[str], current: list[str]) -> None:
    if current:
        parts.append("".join(current))
        current.clear()


def _split_name(match: re.Match[str]) -> str:
    return " " + " ".join(split_camel_case(match.group(1))) + " "


def _host_words(match: re.Match[str]) -> str:
    rest = _URL_SCHEME.sub("", match.group(0))
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    host = host.rpartition("@")[2].partition(":")[0]
    labels = [label for label in host.split(".") if label]
    if len(labels) > 1:
        labels = labels[:-1]  # the top-level domain says nothing about the content
    words = [
        word
        for label in labels
        if label.casefold() not in _HOST_NOISE
        for word in label.split("-")
        if word and not word.isdigit()
    ]
    return " " + " ".join(words) + " "
