"""Every change to reputation: ledger rows, cached totals and badges.

The community's actions call these in their own transaction (one small call each), so a
vote, an acceptance and the points it earns commit or roll back together. Every function is
idempotent: the ledger's unique ``source`` decides whether a row exists, and the cached total
moves (with F()) only when a row was really added or removed.
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F

from schwarmdesk.community.models import Answer, Question, Visibility, Vote
from schwarmdesk.reputation.models import BadgeAward, PointEvent, Profile
from schwarmdesk.reputation.rules import (
    ESTABLISHED_POINTS,
    GOOD_ANSWER_UPVOTES,
    HELPFUL_ACCEPTED,
    POINTS,
    Reason,
)

log = logging.getLogger(__name__)


def _move_total(user_id: int, delta: int) -> None:
    if not delta:
        return
    updated = Profile.objects.filter(user_id=user_id).update(points=F("points") + delta)
    if not updated:
        try:
            with transaction.atomic():
                Profile.objects.create(user_id=user_id, points=delta)
        except IntegrityError:  # created by a concurrent writer
            Profile.objects.filter(user_id=user_id).update(points=F("points") + delta)


def _add(
    user_id: int, reason: Reason, *, source: str, question: Question, answer: Answer | None
) -> bool:
    points = POINTS[reason]
    try:
        with transaction.atomic():
            PointEvent.objects.create(
                user_id=user_id,
                reason=reason,
                points=points,
                source=source,
                question=question,
                answer=answer,
            )
    except IntegrityError:  # this source counted already
        return False
    _move_total(user_id, points)
    return True


def _remove(source: str) -> None:
    for event in PointEvent.objects.select_for_update().filter(source=source):
        event.delete()
        _move_total(event.user_id, -event.points)


@transaction.atomic
def record_vote(voter: AbstractBaseUser, post: Question | Answer, *, value: int | None) -> None:
    """Bring the ledger in line with the voter's current vote on a post (``None``: no vote).

    +10 to the author for an upvote on an answer, +5 for one on a question, -2 for any
    downvote; nothing for a vote on one's own post."""
    answer = post if isinstance(post, Answer) else None
    the_question = post.question if isinstance(post, Answer) else post
    kind = "answer" if answer is not None else "question"
    source = f"vote:{voter.pk}:{kind}:{post.pk}"
    _remove(source)
    if value is None or post.author_id == voter.pk:
        return
    if value > 0:
        reason = Reason.ANSWER_UPVOTED if answer is not None else Reason.QUESTION_UPVOTED
    else:
        reason = Reason.DOWNVOTED
    _add(post.author_id, reason, source=source, question=the_question, answer=answer)
    if answer is not None and value > 0:
        upvotes = Vote.objects.filter(answer=answer, value=1).count()
        if upvotes >= GOOD_ANSWER_UPVOTES:
            award_badge(answer.author_id, "good_answer")
    _check_points_badges(post.author_id)


@transaction.atomic
def record_acceptance(acceptor: AbstractBaseUser, question: Question) -> None:
    """Bring the ledger in line with the question's accepted answer (or none).

    +15 to the accepted answer's author and +2 to the asker who accepted; nobody earns
    points for accepting their own answer."""
    accepted_id = question.accepted_answer_id
    for event in PointEvent.objects.filter(question=question, reason=Reason.ANSWER_ACCEPTED):
        if event.answer_id != accepted_id:
            _remove(event.source)
    if accepted_id is None:
        _remove(f"acceptor:question:{question.pk}")
        return
    answer = Answer.objects.get(pk=accepted_id)
    if answer.author_id != question.author_id:
        _add(
            answer.author_id,
            Reason.ANSWER_ACCEPTED,
            source=f"accepted:answer:{answer.pk}",
            question=question,
            answer=answer,
        )
        award_badge(answer.author_id, "first_accepted")
        accepted = Question.objects.filter(
            accepted_answer__author_id=answer.author_id, visibility=Visibility.VISIBLE
        ).count()
        if accepted >= HELPFUL_ACCEPTED:
            award_badge(answer.author_id, "helpful")
        _check_points_badges(answer.author_id)
        if acceptor.pk == question.author_id:
            _add(
                acceptor.pk,
                Reason.ACCEPTED_AN_ANSWER,
                source=f"acceptor:question:{question.pk}",
                question=question,
                answer=None,
            )
            _check_points_badges(acceptor.pk)


def record_post(author: AbstractBaseUser, post: Question | Answer) -> None:
    """A first question or a first answer earns a badge."""
    award_badge(author.pk, "first_question" if isinstance(post, Question) else "first_answer")


def _check_points_badges(user_id: int) -> None:
    points = Profile.objects.filter(user_id=user_id).values_list("points", flat=True).first()
    if (points or 0) >= ESTABLISHED_POINTS:
        award_badge(user_id, "reputation_100")


def award_badge(user_id: int, badge: str) -> BadgeAward | None:
    """Award a badge once; ``None`` when the member has it already."""
    try:
        with transaction.atomic():
            award = BadgeAward.objects.create(user_id=user_id, badge=badge)
    except IntegrityError:
        return None
    log.info("reputation.badge_awarded user=%s badge=%s", user_id, badge)
    return award
