"""Triage rules that need no database: urgency words, complexity, reasons.

A reason is a small dict ``{"code": ..., "detail": ...}`` so that it can be stored as JSON and
shown translated (:data:`REASON_LABELS`); ``detail`` names the matched words or the count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from schwarmdesk.conversations.models import Priority
from schwarmdesk.text.normalize import fold_umlauts

MAX_TEXT_CHARS = 20_000  # triage reads at most this much of a message (a 1 MB mail too)
LONG_TEXT_CHARS = 1_200  # longer than this: an agent reads it, not the bot

# Word stems, matched at a word start on case-folded text with umlauts spelt out.
OUTAGE_WORDS = (
    # German
    "stoerung",
    "ausfall",
    "ausgefallen",
    "faellt aus",
    "geht nicht",
    "funktioniert nicht",
    "funktioniert gar nicht",
    "kein internet",
    "kein netz",
    "nicht erreichbar",
    "totalausfall",
    "seit stunden",
    "seit tagen",
    # English
    "outage",
    "is down",
    "been down",
    "are down",
    "not working",
    "doesn't work",
    "does not work",
    "no internet",
    "no signal",
    "unreachable",
    "offline",
    "service down",
    "broken",
)
LEGAL_WORDS = (
    "anwalt",
    "rechtsanwalt",
    "klage",
    "verklagen",
    "gericht",
    "verbraucherzentrale",
    "schlichtungsstelle",
    "abmahnung",
    "dsgvo",
    "datenschutzbehoerde",
    "lawyer",
    "attorney",
    "lawsuit",
    "sue ",
    "court",
    "legal action",
    "gdpr",
)
CHURN_WORDS = (
    "kuendige",
    "kuendigung",
    "kuendigen",
    "vertrag beenden",
    "wechsle zu",
    "zur konkurrenz",
    "nie wieder",
    "cancel my",
    "cancel the contract",
    "terminate",
    "switch to another",
    "switching to",
    "close my account",
    "never again",
)
SAFETY_WORDS = (
    "brand",
    "feuer",
    "rauch",
    "stromschlag",
    "explodiert",
    "verletzt",
    "gefahr",
    "notfall",
    "fire",
    "smoke",
    "electric shock",
    "exploded",
    "injured",
    "danger",
    "emergency",
    "burning",
)
ANGRY_WORDS = (
    "frechheit",
    "unverschaemt",
    "skandal",
    "katastrophe",
    "wuetend",
    "sauer",
    "inakzeptabel",
    "unfassbar",
    "zum kotzen",
    "miserabel",
    "outrageous",
    "unacceptable",
    "ridiculous",
    "furious",
    "angry",
    "disgrace",
    "terrible",
    "worst",
    "scam",
)

REASON_LABELS = {
    "outage": _("outage words"),
    "legal": _("legal threat"),
    "churn": _("threat to cancel"),
    "safety": _("safety risk"),
    "repeated_contact": _("repeated contact"),
    "vip": _("VIP customer"),
    "vip_tag": _("VIP tag"),
    "angry": _("angry tone"),
    "burst": _("many similar messages"),
    "knowledge_match": _("a help article answers it"),
    "no_knowledge_match": _("no help article matches"),
    "long_text": _("long message"),
    "several_questions": _("several questions"),
    "specialist_topic": _("needs a specialist"),
    "empty": _("no text"),
    # Why the answer bot handed over
    "disabled": _("switched off for this channel"),
    "urgent": _("urgent message"),
    "no_candidate": _("no answer found"),
    "below_threshold": _("not confident enough"),
    "agent_took_over": _("an agent took over"),
    "bot_answered_last": _("it already answered"),
    "not_visible": _("the question is not public"),
}

Reason = dict[str, str]


def prepare(text: str) -> str:
    """Case-folded, umlauts spelt out, whitespace collapsed, at most MAX_TEXT_CHARS."""
    return " ".join(fold_umlauts(text[:MAX_TEXT_CHARS].casefold()).split())


def matched_words(text: str, words: tuple[str, ...]) -> list[str]:
    """The entries of ``words`` that start a word somewhere in the prepared ``text``."""
    found = []
    for word in words:
        if re.search(r"(?<!\w)" + re.escape(word), text):
            found.append(word.strip())
    return found


@dataclass
class Urgency:
    level: int = Priority.NORMAL
    reasons: list[Reason] = field(default_factory=list)
    is_angry: bool = False

    def raise_to(self, level: int, code: str, detail: str = "") -> None:
        self.level = max(self.level, level)
        self.reasons.append({"code": code, "detail": detail})


def assess_urgency(
    text: str,
    *,
    is_vip: bool = False,
    has_vip_tag: bool = False,
    recent_contacts: int = 0,
    repeat_threshold: int = 2,
    similar_recent: int = 0,
    burst_threshold: int = 5,
) -> Urgency:
    """Urgency level (a conversation priority) and why, from words and customer facts."""
    prepared = prepare(text)
    urgency = Urgency()
    if found := matched_words(prepared, SAFETY_WORDS):
        urgency.raise_to(Priority.URGENT, "safety", ", ".join(found))
    if found := matched_words(prepared, OUTAGE_WORDS):
        urgency.raise_to(Priority.HIGH, "outage", ", ".join(found))
        if similar_recent >= burst_threshold:  # many outage reports at once: an incident
            urgency.raise_to(Priority.URGENT, "burst", str(similar_recent))
    if found := matched_words(prepared, LEGAL_WORDS):
        urgency.raise_to(Priority.HIGH, "legal", ", ".join(found))
    if found := matched_words(prepared, CHURN_WORDS):
        urgency.raise_to(Priority.HIGH, "churn", ", ".join(found))
    if recent_contacts >= repeat_threshold:
        urgency.raise_to(Priority.HIGH, "repeated_contact", str(recent_contacts))
    if is_vip:
        urgency.raise_to(Priority.HIGH, "vip")
    elif has_vip_tag:
        urgency.raise_to(Priority.HIGH, "vip_tag")
    if found := matched_words(prepared, ANGRY_WORDS):
        urgency.is_angry = True
        urgency.reasons.append({"code": "angry", "detail": ", ".join(found)})
    if sum(1 for char in text[:2000] if char == "!") >= 3:
        urgency.is_angry = True
        urgency.reasons.append({"code": "angry", "detail": "!!!"})
    return urgency


def assess_complexity(
    text: str, *, best_confidence: float, threshold: float, urgency: Urgency
) -> tuple[str, list[Reason]]:
    """knowledge_base / agent / specialist, with reasons."""
    codes = {reason["code"] for reason in urgency.reasons}
    if codes & {"legal", "safety"}:
        return "specialist", [
            {"code": "specialist_topic", "detail": ", ".join(sorted(codes & {"legal", "safety"}))}
        ]
    if not text.strip():
        return "agent", [{"code": "empty", "detail": ""}]
    reasons: list[Reason] = []
    if len(text) > LONG_TEXT_CHARS:
        reasons.append({"code": "long_text", "detail": str(len(text))})
    if text.count("?") >= 3:
        reasons.append({"code": "several_questions", "detail": str(text.count("?"))})
    if reasons:
        return "agent", reasons
    percent = f"{round(best_confidence * 100)} %"
    if best_confidence >= threshold:
        return "knowledge_base", [{"code": "knowledge_match", "detail": percent}]
    return "agent", [{"code": "no_knowledge_match", "detail": percent}]


def reason_label(code: str) -> str:
    return str(REASON_LABELS.get(code, code))
