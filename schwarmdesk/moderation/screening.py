"""Screening of new and edited community posts: is a post suspicious enough to hold it for a
moderator instead of publishing it?

Three checks, German and English alike:

- link spam: more than ``SPAM_MAX_LINKS`` links, a known spam pattern (casino, pills, crypto
  schemes, "Kredit ohne Schufa", ...), or any link from an account younger than
  ``NEW_ACCOUNT_HOURS`` that has not earned the ``post_links`` ability (the community refuses
  links from such members anyway; this holds what slips through, e.g. a changed rule);
- repeated posts: the same or nearly the same text from the same account within
  :data:`REPEAT_WINDOW`;
- offensive language: the trained detector (:mod:`.detector`) or, without a trained model, a
  short word list.

Agents and administrators are never held. :func:`screen` only reads; the community actions
store the post as held and :func:`schwarmdesk.moderation.actions.hold_post` records why. The
posting limit for new accounts (:func:`check_rate_limit`) lives here too.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from schwarmdesk.community.models import Answer, Comment, Question
from schwarmdesk.core.errors import Forbidden
from schwarmdesk.moderation.detector import (
    MODEL_FILE,
    MODEL_VERSION,
    Detector,
    OffenseModel,
    WordListDetector,
    normalise,
)
from schwarmdesk.people.actions import Actor
from schwarmdesk.reputation.abilities import has_ability, is_staff_account

log = logging.getLogger(__name__)

REPEAT_WINDOW = timedelta(hours=1)
REPEAT_SIMILARITY = 0.8  # Jaccard similarity of character 4-grams that counts as "the same"
MIN_REPEAT_CHARS = 20  # "Danke!" twice is not spam

LINK = re.compile(r"https?://[^\s)>\]]+|www\.[^\s)>\]]+", re.IGNORECASE)
SPAM_PATTERNS = re.compile(
    r"\b("
    r"casino|viagra|cialis|porn|escort|betting|bitcoin\s+investment|crypto\s+(?:profit|signal)s?"
    r"|forex\s+signals?|buy\s+followers|cheap\s+(?:pills|meds)|seo\s+services?"
    r"|whats\s?app\s*\+?\d|telegram\s*@\w+|kredit\s+ohne\s+schufa|schnell\s+geld\s+verdienen"
    r"|online\s*-?\s*casino|sportwetten|gratis\s+iphone|free\s+iphone|work\s+from\s+home"
    r"|click\s+here|jetzt\s+klicken|100\s*%\s*(?:gratis|free)"
    r")\b",
    re.IGNORECASE,
)


class Reason:
    MANY_LINKS = "many_links"
    SPAM_PATTERN = "spam_pattern"
    NEW_ACCOUNT_LINKS = "new_account_links"
    REPEATED = "repeated"
    OFFENSIVE = "offensive"


def reason_label(code: str) -> str:
    """The reason in the reader's language, for the moderator queue."""
    labels = {
        Reason.MANY_LINKS: _("many links"),
        Reason.SPAM_PATTERN: _("known spam pattern"),
        Reason.NEW_ACCOUNT_LINKS: _("links from a new account"),
        Reason.REPEATED: _("repeated post"),
        Reason.OFFENSIVE: _("offensive language"),
    }
    return labels.get(code, code)


@dataclass(frozen=True)
class Verdict:
    """What the screening found; a post with any reason is held for review."""

    reasons: tuple[str, ...] = ()
    scores: dict[str, Any] = field(default_factory=dict)

    @property
    def is_held(self) -> bool:
        return bool(self.reasons)


# ---------------------------------------------------------------------------------------------
# The offensive-language detector, loaded once per process


_detector: Detector | OffenseModel | None = None
_detector_lock = threading.Lock()


def model_path() -> Path:
    return Path(settings.DATA_DIR) / MODEL_FILE


def get_detector() -> Detector | OffenseModel:
    """The trained model from the data directory, or the word list when there is none."""
    global _detector  # noqa: PLW0603 -- one lazily loaded model per process
    with _detector_lock:
        if _detector is None:
            _detector = _load_detector(model_path())
        return _detector


def _load_detector(path: Path) -> Detector | OffenseModel:
    if path.exists():
        import joblib  # noqa: PLC0415

        try:
            model = joblib.load(path)
        except Exception as error:  # a broken file must not stop posting
            log.warning("moderation.detector_unreadable path=%s error=%s", path, error)
        else:
            if isinstance(model, OffenseModel) and model.version == MODEL_VERSION:
                log.info("moderation.detector_loaded path=%s", path)
                return model
            log.warning(
                "moderation.detector_unreadable path=%s error=wrong type or an older model "
                "version (train it again)",
                path,
            )
    log.warning(
        "moderation.detector_fallback using the offensive word list: no trained model at %s "
        "(train one with `schwarmdesk manage train_moderation --data ../shared/data`)",
        path,
    )
    return WordListDetector()


def reset_detector() -> None:
    """Forget the loaded model (after training a new one, and in tests)."""
    global _detector  # noqa: PLW0603
    with _detector_lock:
        _detector = None


def offense_score(text: str) -> tuple[float, float, str]:
    """(score, threshold, detector name) for one text."""
    detector = get_detector()
    score = float(detector.scores([text])[0])
    return score, float(detector.threshold), detector.name


# ---------------------------------------------------------------------------------------------
# The checks


def _is_new_account(user: User) -> bool:
    age = timezone.now() - user.date_joined
    return age < timedelta(hours=settings.NEW_ACCOUNT_HOURS)


def _shingles(text: str) -> set[str]:
    words = " ".join(re.findall(r"\w+", normalise(text).lower()))
    return {words[i : i + 4] for i in range(max(1, len(words) - 3))}


def similarity(first: str, second: str) -> float:
    """Jaccard similarity of the character 4-grams of two texts (1.0: the same words); a
    changed word or two still leaves two texts of some length above 0.8."""
    a, b = _shingles(first), _shingles(second)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _recent_texts(user: User, exclude: Question | Answer | Comment | None) -> list[str]:
    since = timezone.now() - REPEAT_WINDOW
    texts: list[str] = []
    for model, fields in ((Question, ("title", "body")), (Answer, ("body",)), (Comment, ("body",))):
        rows = model.objects.filter(author=user, created_at__gte=since)
        if exclude is not None and isinstance(exclude, model):
            rows = rows.exclude(pk=exclude.pk)
        for values in rows.values_list(*fields)[:50]:
            texts.append("\n".join(value for value in values if value))
    return texts


def screen(
    actor: Actor, *, text: str, exclude: Question | Answer | Comment | None = None
) -> Verdict:
    """Check a post's text (title and body together) before it is stored or changed.

    ``exclude`` is the post being edited, which must not count as its own repetition.
    """
    if not isinstance(actor, User) or is_staff_account(actor):
        return Verdict()
    reasons: list[str] = []
    scores: dict[str, Any] = {}
    links = LINK.findall(text)
    scores["links"] = len(links)
    if len(links) > settings.SPAM_MAX_LINKS:
        reasons.append(Reason.MANY_LINKS)
    if SPAM_PATTERNS.search(text):
        reasons.append(Reason.SPAM_PATTERN)
    if links and _is_new_account(actor) and not has_ability(actor, "post_links"):
        reasons.append(Reason.NEW_ACCOUNT_LINKS)  # reputation vouches for the others
    if len(text.strip()) >= MIN_REPEAT_CHARS:
        closest = max((similarity(text, old) for old in _recent_texts(actor, exclude)), default=0.0)
        scores["repeat_similarity"] = round(closest, 3)
        if closest >= REPEAT_SIMILARITY:
            reasons.append(Reason.REPEATED)
    score, threshold, detector = offense_score(text)
    scores.update(offense=round(score, 3), offense_threshold=threshold, detector=detector)
    if score >= threshold:
        reasons.append(Reason.OFFENSIVE)
    verdict = Verdict(reasons=tuple(reasons), scores=scores)
    if verdict.is_held:
        log.info("moderation.held user=%s reasons=%s", actor.pk, ",".join(reasons))
    return verdict


class RateLimited(Forbidden):
    """A new account posted more than its limit in the last hour."""


def check_rate_limit(actor: Actor) -> None:
    """Refuse a question or answer from a new account that already posted
    ``NEW_ACCOUNT_POSTS_PER_HOUR`` of them in the last hour.

    Call it inside the posting transaction: the account's row is locked first, so two posts
    sent at the same moment are counted one after the other.
    """
    if not isinstance(actor, User) or is_staff_account(actor) or not _is_new_account(actor):
        return
    User.objects.select_for_update().filter(pk=actor.pk).first()
    since = timezone.now() - timedelta(hours=1)
    posted = (
        Question.objects.filter(author=actor, created_at__gte=since).count()
        + Answer.objects.filter(Q(author=actor) & Q(created_at__gte=since)).count()
    )
    limit = settings.NEW_ACCOUNT_POSTS_PER_HOUR
    if posted >= limit:
        log.warning("moderation.rate_limited user=%s posts=%s limit=%s", actor.pk, posted, limit)
        raise RateLimited(
            ngettext(
                "New accounts may post %(limit)s question or answer per hour. "
                "Please try again later.",
                "New accounts may post %(limit)s questions or answers per hour. "
                "Please try again later.",
                limit,
            )
            % {"limit": limit}
        )
