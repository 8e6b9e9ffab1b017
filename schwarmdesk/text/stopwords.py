"""German and English stopwords, written for Schwarmdesk (no data copied from GPL sources).

The lists hold function words that carry no meaning for search: articles, pronouns, auxiliary
verbs, prepositions, conjunctions and filler particles.  They are stored case-folded (``ß`` is
already ``ss``, as :func:`str.casefold` produces it) with their umlauts; analysis also checks the
umlaut-folded spelling (``für``/``fuer``), see :func:`stopwords_for`.

Negations are deliberately *not* stopwords: "Der Router funktioniert nicht" and "Der Router
funktioniert" must not become the same terms, and sentiment needs them later.  They are listed in
:data:`GERMAN_NEGATIONS` and :data:`ENGLISH_NEGATIONS` instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from schwarmdesk.text.normalize import fold_umlauts

GERMAN_NEGATIONS: frozenset[str] = frozenset(
    {
        "nicht",
        "nichts",
        "kein",
        "keine",
        "keinem",
        "keinen",
        "keiner",
        "keines",
        "nie",
        "niemals",
        "nimmer",
        "niemand",
        "nirgends",
        "weder",
        "ohne",
    }
)

ENGLISH_NEGATIONS: frozenset[str] = frozenset(
    {
        "not",
        "no",
        "nor",
        "never",
        "none",
        "nothing",
        "nobody",
        "nowhere",
        "neither",
        "without",
        "cannot",
        "ain't",
        "aren't",
        "can't",
        "couldn't",
        "didn't",
        "doesn't",
        "don't",
        "hadn't",
        "hasn't",
        "haven't",
        "isn't",
        "mightn't",
        "mustn't",
        "needn't",
        "shan't",
        "shouldn't",
        "wasn't",
        "weren't",
        "won't",
        "wouldn't",
    }
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


GERMAN_STOPWORDS: frozenset[str] = _words(
    """
    der die das des dem den ein eine einer eines einem einen
    ich du er sie es wir ihr mich dich sich uns euch mir dir ihm ihnen
    mein meine meiner meines meinem meinen dein deine deiner deines deinem deinen
    sein seine seiner seines seinem seinen ihre ihrer ihres ihrem ihren
    unser unsere unserer unseres unserem unseren euer eure eurer eures eurem euren
    dies diese dieser dieses diesem diesen jene jener jenes jenem jenen
    welche welcher welches welchem welchen man jemand jeder jede jedes jedem jeden
    alle aller alles allem allen manche mancher manches manchem manchen
    selbst selber etwas
    bin bist ist sind seid war warst waren wart gewesen wäre wären
    habe hast hat haben habt hatte hattest hatten hattet gehabt hätte hätten
    werde wirst wird werden werdet wurde wurdest wurden wurdet geworden würde würden
    kann kannst können könnt konnte konnten könnte könnten
    muss musst müssen müsst musste mussten müsste
    soll sollst sollen sollt sollte sollten
    will willst wollen wollt wollte wollten
    darf darfst dürfen dürft durfte
    mag magst mögen möchte möchten
    und oder aber denn sondern doch sowie als wie wenn falls ob dass weil da damit
    obwohl während bevor nachdem sobald solange bis seit seitdem indem
    an am auf aus bei beim durch für gegen hinter in im ins mit nach neben
    über um unter vom von vor zu zum zur zwischen per pro via bzw usw
    hier dort da dann denn so also nur noch schon auch sehr mal eben halt ja eh
    dabei dafür dagegen daher dahin damals danach daneben daran darauf daraus darin
    darüber darum darunter davon davor dazu
    wo wer was wann warum wieso weshalb wohin woher womit wobei worauf
    etwa ganz gar immer jetzt gerade bereits wieder oft dazu zwar sowieso
    einfach eigentlich vielleicht bitte danke hallo hi moin servus
    mehr viel viele vielen wenig wenige einige einigen andere anderen anderer anderes
    sonst trotzdem jedoch nun bloß erst
    """
)

ENGLISH_STOPWORDS: frozenset[str] = _words(
    """
    a an the this that these those
    i me my mine myself you your yours yourself yourselves
    he him his himself she her hers herself it its itself
    we us our ours ourselves they them their theirs themselves
    i'm i've i'd i'll you're you've you'd you'll he's she's it's we're we've
    they're they've that's there's here's what's let's
    what which who whom whose when where why how
    am is are was were be been being
    have has had having do does did doing done
    will would shall should can could may might must
    and or but if because as until while than so though although
    of at by for with about against between into through during before after
    above below to from up down in out on off over under
    again further then once here there
    all any both each few more most other some such own same
    only too very just also even still yet
    please thanks thank hi hello hey
    s t d ll m re ve y
    """
)


def stopwords_for(language: str) -> frozenset[str]:
    """Stopwords to drop for ``language`` ("de", "en"; anything else: both lists).

    The result also holds the umlaut-folded spellings (``fuer`` next to ``für``), so a token can
    be checked before or after :func:`~schwarmdesk.text.normalize.fold_umlauts`.
    """
    if language == "de":
        return _GERMAN_LOOKUP
    if language == "en":
        return _ENGLISH_LOOKUP
    return _ALL_LOOKUP


def _with_folded(words: Iterable[str]) -> frozenset[str]:
    return frozenset(w for word in words for w in (word, fold_umlauts(word)))


_GERMAN_LOOKUP = _with_folded(GERMAN_STOPWORDS)
_ENGLISH_LOOKUP = _with_folded(ENGLISH_STOPWORDS)
_ALL_LOOKUP = _GERMAN_LOOKUP | _ENGLISH_LOOKUP
