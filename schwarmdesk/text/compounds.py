"""German compound splitting over a vocabulary of word frequencies (our own, Apache-2.0).

"Rechnungsadresse" should be found by "Adresse der Rechnung".  A word is split where all parts
are known, frequent words (Koehn & Knight, 2003): every segmentation into at most three parts is
scored by the geometric mean of its parts' frequencies, the unsplit word competes with its own
frequency, and on a tie fewer parts win.  Frequencies come from the index's own vocabulary
(:meth:`CompoundSplitter.add` as it grows) on top of a small seed vocabulary of customer-service
words (:func:`default_splitter`), so splitting works before the index holds any text.

German glues parts with linking elements ("Rechnung-s-adresse", "Kunde-n-service",
"Tag-es-geld") and drops a final -e ("Schul-bus"); a non-final part may therefore lose a linking
element or regain an -e, and the final part may carry an inflection ("…adress-en").  Parts are
returned in their dictionary form: ``split("Kundenservices") == ["kunde", "service"]``.

All words are compared case-folded with umlauts spelled out (:func:`fold_umlauts`), so results
are lower case without umlauts: ``split("Störungsmeldung") == ["stoerung", "meldung"]``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping

from schwarmdesk.text.normalize import fold_umlauts
from schwarmdesk.text.stopwords import stopwords_for

LINKING_ELEMENTS = ("ens", "es", "en", "er", "ns", "s", "n", "e")
"""Fugenelemente a non-final part may end with, longest first."""
INFLECTIONS = ("ern", "en", "er", "es", "ns", "e", "n", "s")
"""Endings the final part may carry (plural, genitive)."""
MAX_PARTS = 3
SEED_FREQUENCY = 20
"""Frequency of every seed word: a handful of real occurrences outweighs it."""
_CACHE_LIMIT = 50_000
_NOT_A_PART = stopwords_for("")  # "aus" + "fall" is not how "Ausfall" should be read

_Candidate = tuple[float, int, tuple[str, ...]]  # (geometric mean, -number of parts, parts)


class CompoundSplitter:
    """Splits German compounds into frequent known words; thread-safe.

    ``min_part_length`` is the shortest part (and the shortest stretch of the word a part may
    cover); words seen fewer than ``min_frequency`` times are not used as parts.
    """

    def __init__(
        self,
        frequencies: Mapping[str, int],
        *,
        min_part_length: int = 3,
        min_frequency: int = 2,
    ) -> None:
        if min_part_length < 1:
            raise ValueError("min_part_length must be at least 1")
        self.min_part_length = min_part_length
        self.min_frequency = min_frequency
        self._frequencies: dict[str, int] = {}
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[str, ...]] = {}
        self.add(frequencies)

    def add(self, words: Iterable[str] | Mapping[str, int]) -> None:
        """Count more words: a mapping adds its counts, any other iterable one per occurrence."""
        counts: Iterable[tuple[str, int]] = (
            words.items() if isinstance(words, Mapping) else ((word, 1) for word in words)
        )
        with self._lock:
            for word, count in counts:
                key = _fold(word)
                if key and count > 0:
                    self._frequencies[key] = self._frequencies.get(key, 0) + count
            self._cache = {}  # a new dict: a split running concurrently fills the old one

    def frequency(self, word: str) -> int:
        """How often ``word`` (in any case, with or without umlauts) has been counted."""
        return self._frequencies.get(_fold(word), 0)

    def split(self, word: str) -> list[str]:
        """The parts of ``word``, or the whole (folded) word when no split is good enough.

        Hyphens always split ("WLAN-Router" → ["wlan", "router"]) and each piece is split again;
        words with digits are never split.
        """
        folded = _fold(word)
        if "-" in folded:
            return [part for piece in folded.split("-") if piece for part in self.split(piece)]
        cache = self._cache
        parts = cache.get(folded)
        if parts is None:
            parts = self._split(folded)
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            cache[folded] = parts
        return list(parts)

    def _split(self, word: str) -> tuple[str, ...]:
        if len(word) < 2 * self.min_part_length or not word.isalpha():
            return (word,)
        best = self._best(word, MAX_PARTS, {})
        if best is None or len(best[2]) == 1:
            return (word,)
        return best[2]

    def _best(
        self, word: str, max_parts: int, memo: dict[tuple[str, int], _Candidate | None]
    ) -> _Candidate | None:
        """Best segmentation of ``word`` (the end of the compound) into ≤ ``max_parts`` parts."""
        key = (word, max_parts)
        if key in memo:
            return memo[key]
        candidates: list[_Candidate] = []
        whole = self._final_part(word)
        if whole is not None:
            candidates.append((float(whole[1]), -1, (whole[0],)))
        if max_parts > 1:
            shortest = self.min_part_length
            for cut in range(shortest, len(word) - shortest + 1):
                head = self._head_part(word[:cut])
                if head is None:
                    continue
                rest = self._best(word[cut:], max_parts - 1, memo)
                if rest is None:
                    continue
                rest_mean, rest_negative_count, rest_parts = rest
                count = 1 - rest_negative_count
                log_sum = math.log(head[1]) + (count - 1) * math.log(rest_mean)
                mean = math.exp(log_sum / count)
                candidates.append((mean, -count, (head[0], *rest_parts)))
        best = max(candidates, key=lambda candidate: candidate[:2]) if candidates else None
        memo[key] = best
        return best

    def _head_part(self, stretch: str) -> tuple[str, int] | None:
        """A non-final part: the stretch, without its linking element, or with its lost -e."""
        forms = [stretch]
        forms.extend(stretch[: -len(link)] for link in LINKING_ELEMENTS if stretch.endswith(link))
        forms.append(stretch + "e")
        return self._most_frequent(forms)

    def _final_part(self, stretch: str) -> tuple[str, int] | None:
        forms = [stretch]
        forms.extend(stretch[: -len(end)] for end in INFLECTIONS if stretch.endswith(end))
        return self._most_frequent(forms)

    def _most_frequent(self, forms: list[str]) -> tuple[str, int] | None:
        best: tuple[str, int] | None = None
        for form in forms:
            if len(form) < self.min_part_length or form in _NOT_A_PART:
                continue
            frequency = self._frequencies.get(form, 0)
            if frequency >= self.min_frequency and (best is None or frequency > best[1]):
                best = (form, frequency)
        return best


def default_splitter() -> CompoundSplitter:
    """A new splitter knowing only :data:`SEED_WORDS` (add the index vocabulary to it)."""
    return CompoundSplitter(dict.fromkeys(SEED_WORDS, SEED_FREQUENCY))


def _fold(word: str) -> str:
    return fold_umlauts(word.casefold())


# Common parts of German customer-service compounds: railway, telecom, banking and the words
# around any service desk.  Written for Schwarmdesk.  Bound stems such as "fahr" (Fahrkarte),
# "warte" (Wartezeit) or "rück" (Rückerstattung) are included because compounds are built on them.
_SEED_TEXT = """
    bahn zug fahr fahrt reise reisende gast kunde service card bahncard bahnhof bahnsteig
    gleis wagen sitz platz reservierung abfahrt ankunft verspätung ausfall anschluss umstieg
    strecke halt station haltestelle fahrplan plan verkehr ersatz bus tram regio regional fern
    nah schiene klasse gepäck fahrrad rad hund kind familie gruppe senior student schule zuschlag
    ermäßigung rabatt gutschein erstattung entschädigung recht rechte formular antrag
    beschwerde lob kritik frage antwort hilfe hinweis info information meldung nachricht
    mitteilung streik bau stelle umleitung sperrung weiche signal wetter sturm unwetter hitze
    klima anlage toilette tür fenster dose strom licht essen getränk bistro speise bereich
    ruhe komfort barriere rollstuhl begleiter führer lok personal kontrolle schaffner ausweis
    prüfung bindung alarm pendler strecke ticket preis spar angebot aktion bonus punkte
    prämie vorteil sparpreis flex
    telefon handy mobil funk netz werk router wlan lan dsl glas faser kabel leitung internet
    fest speed geschwindigkeit band breite störung verbindung empfang sim esim karte roaming
    daten volumen flat rate prepaid guthaben aufladung tarif option paket gerät hardware
    software update firmware modem box fernseher fernsehen stream streaming anruf nummer ruf
    mailbox sms mail email techniker termin auftrag status fall problem fehler lösung
    anleitung hand buch einstellung einrichtung konfiguration passwort wort pass zugang
    benutzer nutzer name profil account login konto vertrag laufzeit lauf zeit kündigung
    frist wechsel umzug anbieter portierung mitnahme smart phone tablet laptop computer
    drucker home office büro shop laden filiale markt partner händler bestand vertrieb
    center hotline chat team mitarbeiter arbeiter arbeit geschäft firma privat person heim
    haus wohnung gebäude keller dach adresse straße ort stadt land post brief sendung
    lieferung liefer versand bestellung retoure rück rechnung betrag summe gebühr kosten
    zahlung zahl lastschrift last schrift überweisung mahnung inkasso forderung schuld
    sperre freischaltung schaltung bank giro sparbuch depot aktie fonds zins zinsen geld
    automat schalter berater beratung online banking tan pin kredit darlehen hypothek
    tilgung auskunft bonität einkommen gehalt lohn steuer bescheinigung auszug saldo umsatz
    buchung abbuchung gutschrift einzug mandat sepa bezahlung kontakt debit visa girocard
    notfall not verlust diebstahl betrug phishing sicherheit schutz faktor push verfahren
    freigabe registrierung aktivierung identifizierung video ident legitimation
    warte lad kauf verkauf miete leasing garantie gewährleistung reparatur tausch austausch
    erhöhung änderung anpassung bestätigung storno stornierung widerruf einspruch nachweis
    beleg quittung liste übersicht bericht protokoll dauer ende anfang beginn start grund
    art form raum woche monat jahr tag stunde minute sekunde datum uhr kalender code
    formel store app web seite portal suche such melde meld warnung sprache
    ansage durchsage bord kopf kopfhörer akku display bildschirm bild ton qualität
"""
SEED_WORDS: frozenset[str] = frozenset(_SEED_TEXT.split())
