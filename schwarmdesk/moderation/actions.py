"""Every state change of moderation: members flag posts, the screening holds posts, and
moderators (agents and administrators) approve, hide or delete them.

A post hides when its open flags reach ``FLAG_HIDE_THRESHOLD``, or at once when the flag comes
from a member with the ``hide_by_flag`` ability. Each moderator decision is a
:class:`~schwarmdesk.moderation.models.Decision` row and a log line.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from schwarmdesk.community.indexing import sync_question_index
from schwarmdesk.community.models import Answer, Comment, Question, Visibility
from schwarmdesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from schwarmdesk.escalation import scheduling as escalation
from schwarmdesk.moderation.models import (
    Decision,
    DecisionKind,
    Flag,
    FlagReason,
    Hold,
)
from schwarmdesk.moderation.screening import Verdict
from schwarmdesk.notifications import hooks as notifications
from schwarmdesk.people.actions import Actor
from schwarmdesk.reputation.abilities import has_ability, is_staff_account

log = logging.getLogger(__name__)

Target = Literal["question", "answer", "comment"]
Post = Question | Answer | Comment
MAX_FLAG_TEXT = 500
MAX_NOTE = 500


def is_moderator(actor: Actor) -> bool:
    """Agents and administrators moderate."""
    return is_staff_account(actor)


def _member(actor: Actor) -> User:
    if not isinstance(actor, User) or not actor.is_authenticated or not actor.is_active:
        raise Forbidden(_("Please log in to flag a post."))
    return actor


def _moderator(actor: Actor) -> User:
    if not isinstance(actor, User) or not is_moderator(actor):
        raise Forbidden(_("Only moderators may do this."))
    return actor


def question_of(post: Post) -> Question | None:
    if isinstance(post, Question):
        return post
    if isinstance(post, Answer):
        return post.question
    return post.question or (post.answer.question if post.answer else None)


def access_post(actor: Actor, target: str, pk: int, *, for_update: bool = False) -> Post:
    """The post if the actor may see it: members see public posts (under a public question),
    moderators also hidden and held ones; deleted ones nobody. NotFound otherwise."""
    readable = [Visibility.VISIBLE]
    if is_moderator(actor):
        readable += [Visibility.HIDDEN, Visibility.HELD]
    rows: QuerySet[Any]
    if target == "question":
        rows = Question.objects.filter(visibility__in=readable)
    elif target == "answer":
        rows = Answer.objects.select_related("question").filter(
            visibility__in=readable, question__visibility__in=readable
        )
    elif target == "comment":
        rows = Comment.objects.select_related("question", "answer__question").filter(
            visibility__in=readable
        )
    else:
        raise NotFound("no such kind of post")
    if for_update:
        rows = rows.select_for_update(of=("self",))
    post: Post | None = rows.filter(pk=pk).first()
    if post is None:
        raise NotFound("no such post")
    question = question_of(post)
    if question is not None and question.visibility not in readable:
        raise NotFound("no such post")
    return post


def _target(post: Post) -> dict[str, Post]:
    if isinstance(post, Question):
        return {"question": post}
    if isinstance(post, Answer):
        return {"answer": post}
    return {"comment": post}


def _set_visibility(post: Post, visibility: str) -> str:
    """Change a post's visibility and keep the answer count and the search index right;
    returns the visibility before."""
    previous = str(post.visibility)
    if previous == visibility:
        return previous
    post.visibility = visibility
    fields = ["visibility"] if isinstance(post, Comment) else ["visibility", "updated_at"]
    post.save(update_fields=fields)
    if isinstance(post, Answer):
        was, now = previous == Visibility.VISIBLE, visibility == Visibility.VISIBLE
        if was != now:  # the answer count counts public answers
            Question.objects.filter(pk=post.question_id).update(
                answer_count=F("answer_count") + (1 if now else -1)
            )
        question = Question.objects.select_related("category", "accepted_answer").get(
            pk=post.question_id
        )
        if visibility == Visibility.DELETED and question.accepted_answer_id == post.pk:
            question.accepted_answer = None
            question.save(update_fields=["accepted_answer", "updated_at"])
        if question.accepted_answer_id in (None, post.pk):
            sync_question_index(question)
    elif isinstance(post, Question):
        sync_question_index(post)
    return previous


def _resolve(post: Post) -> None:
    now = timezone.now()
    Flag.objects.filter(is_open=True, **_target(post)).update(is_open=False, resolved_at=now)
    Hold.objects.filter(is_open=True, **_target(post)).update(is_open=False, resolved_at=now)


def open_flag_count(post: Post) -> int:
    return Flag.objects.filter(is_open=True, **_target(post)).count()


@transaction.atomic
def flag_post(
    actor: Actor,
    target: str,
    pk: int,
    *,
    reason: str,
    text: str = "",
) -> Flag:
    """Flag a post with a reason; once per member and post. The post hides when its open
    flags reach the threshold or when the member may hide posts by flagging."""
    user = _member(actor)
    if reason not in FlagReason.values:
        raise Invalid(_("Please choose a reason."))
    text = " ".join(text.split())
    if len(text) > MAX_FLAG_TEXT:
        raise Invalid(
            _("The explanation has at most %(limit)s characters.") % {"limit": MAX_FLAG_TEXT}
        )
    post = access_post(user, target, pk, for_update=True)
    if post.author_id == user.pk:
        raise Invalid(_("You cannot flag your own post."))
    try:
        with transaction.atomic():
            flag = Flag.objects.create(user=user, reason=reason, text=text, **_target(post))
    except IntegrityError:  # one flag per member and post, also at the same moment
        raise Conflict(_("You have already flagged this post.")) from None
    count = open_flag_count(post)
    trusted = has_ability(user, "hide_by_flag")
    log.info("moderation.flagged %s=%s reason=%s open=%s", target, post.pk, reason, count)
    if post.visibility == Visibility.VISIBLE and (trusted or count >= settings.FLAG_HIDE_THRESHOLD):
        previous = _set_visibility(post, Visibility.HIDDEN)
        Decision.objects.create(
            moderator=user if trusted else None,
            kind=DecisionKind.AUTO_HIDE,
            previous_visibility=previous,
            note="hide_by_flag" if trusted else f"{count} flags",
            **_target(post),
        )
        log.info(
            "moderation.auto_hidden %s=%s flags=%s trusted=%s", target, post.pk, count, trusted
        )
    return flag


def hold_post(post: Post, verdict: Verdict) -> Hold:
    """Record why the screening held a post (stored as held by the community action)."""
    return Hold.objects.create(
        reasons=list(verdict.reasons), scores=verdict.scores, **_target(post)
    )


def rehold_post(post: Post, verdict: Verdict) -> Hold:
    """An edit made a public post suspicious: hold it again until a moderator looks."""
    _set_visibility(post, Visibility.HELD)
    return hold_post(post, verdict)


def _published(post: Post) -> None:
    """What posting does for a public post, done late for a post that was held: the escalation
    timer of a question, the announcement of an answer, the question's last activity."""
    if isinstance(post, Question):
        escalation.question_posted(post)
        return
    question_id = post.question_id if isinstance(post, Answer) else None
    if isinstance(post, Answer):
        notifications.answer_posted(post)
        escalation.recheck(post.question_id)
    else:
        question = question_of(post)
        question_id = question.pk if question is not None else None
    if question_id is not None:
        Question.objects.filter(pk=question_id).update(last_activity_at=timezone.now())


VISIBILITY_OF = {
    DecisionKind.APPROVE: Visibility.VISIBLE,
    DecisionKind.HIDE: Visibility.HIDDEN,
    DecisionKind.DELETE: Visibility.DELETED,
}


@transaction.atomic
def decide(actor: Actor, target: str, pk: int, *, kind: str, note: str = "") -> Decision:
    """A moderator approves (publishes, clears flags), hides or deletes a post; the decision
    closes the post's open flags and holds and is recorded with who and when."""
    moderator = _moderator(actor)
    if kind not in VISIBILITY_OF:
        raise Invalid("a decision is approve, hide or delete")
    post = access_post(moderator, target, pk, for_update=True)
    previous = _set_visibility(post, VISIBILITY_OF[DecisionKind(kind)])
    _resolve(post)
    if previous == Visibility.HELD and kind == DecisionKind.APPROVE:
        _published(post)
    decision = Decision.objects.create(
        moderator=moderator,
        kind=kind,
        previous_visibility=previous,
        note=" ".join(note.split())[:MAX_NOTE],
        **_target(post),
    )
    log.info(
        "moderation.decided %s=%s decision=%s before=%s by=%s",
        target,
        post.pk,
        kind,
        previous,
        moderator.pk,
    )
    return decision


def require_moderator(actor: Actor) -> None:
    """Forbidden unless the actor moderates (for pages that only list)."""
    _moderator(actor)
