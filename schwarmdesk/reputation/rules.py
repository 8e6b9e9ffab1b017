"""The rules of reputation in one place: points per event, trust-level thresholds, abilities
and badges. The help page renders these constants, so changing a number here changes the
explanation too."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    """Why points moved; one ledger row per (reason, source)."""

    ANSWER_UPVOTED = "answer_upvoted", _("upvote on an answer")
    QUESTION_UPVOTED = "question_upvoted", _("upvote on a question")
    DOWNVOTED = "downvoted", _("downvote received")
    ANSWER_ACCEPTED = "answer_accepted", _("answer accepted")
    ACCEPTED_AN_ANSWER = "accepted_an_answer", _("accepted an answer")


POINTS: dict[str, int] = {
    Reason.ANSWER_UPVOTED: 10,
    Reason.QUESTION_UPVOTED: 5,
    Reason.DOWNVOTED: -2,
    Reason.ANSWER_ACCEPTED: 15,
    Reason.ACCEPTED_AN_ANSWER: 2,
}


class TrustLevel(models.IntegerChoices):
    NEW = 0, _("new")
    MEMBER = 1, _("member")
    REGULAR = 2, _("regular")
    LEADER = 3, _("leader")

    @classmethod
    def for_points(cls, points: int) -> TrustLevel:
        level = cls.NEW
        for candidate, threshold in LEVEL_THRESHOLDS.items():
            if points >= threshold:
                level = candidate
        return level


# Reputation points from which a level starts.
LEVEL_THRESHOLDS: dict[TrustLevel, int] = {
    TrustLevel.NEW: 0,
    TrustLevel.MEMBER: 10,
    TrustLevel.REGULAR: 100,
    TrustLevel.LEADER: 500,
}

ABILITY_LEVELS: dict[str, TrustLevel] = {
    "post_links": TrustLevel.MEMBER,
    "edit_others": TrustLevel.REGULAR,
    "hide_by_flag": TrustLevel.LEADER,
}

ABILITY_NAMES = {
    "post_links": _("post links"),
    "edit_others": _("edit other members' posts"),
    "hide_by_flag": _("hide a post at once by flagging it"),
}


@dataclass(frozen=True)
class Badge:
    name: str | Promise
    description: str | Promise


BADGES: dict[str, Badge] = {
    "first_question": Badge(_("Curious"), _("Asked a first question.")),
    "first_answer": Badge(_("Helper"), _("Wrote a first answer.")),
    "first_accepted": Badge(_("Solver"), _("A first answer was accepted.")),
    "good_answer": Badge(_("Good answer"), _("One answer received 10 upvotes.")),
    "reputation_100": Badge(_("Established"), _("Reached 100 reputation points.")),
    "helpful": Badge(_("Helpful"), _("Five answers were accepted.")),
}
GOOD_ANSWER_UPVOTES = 10
HELPFUL_ACCEPTED = 5
ESTABLISHED_POINTS = 100
