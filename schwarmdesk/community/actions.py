"""Every state change in the community: questions, answers, comments, edits, votes,
acceptance, solved state, images and deflections.

Reading needs no account; writing does. Untrusted ids go through ``access_question`` and
``access_answer`` ("hidden" and "does not exist" look the same); an actor who sees a post but
may not change it gets :class:`Forbidden`. Counters move with F() expressions and unique
constraints decide races; each action keeps the question's search entry right in its own
transaction.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Sequence

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from schwarmdesk.accounts.actions import require_verified
from schwarmdesk.automation import hooks as automation
from schwarmdesk.community.indexing import sync_question_index
from schwarmdesk.community.models import (
    LANGUAGE_CODES,
    Answer,
    Category,
    Comment,
    Deflection,
    Image,
    Question,
    QuestionStatus,
    Revision,
    Tag,
    Visibility,
    Vote,
)
from schwarmdesk.community.uploads import MAX_IMAGES, Upload, check_image
from schwarmdesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from schwarmdesk.core.uploads import clean_filename
from schwarmdesk.escalation import scheduling as escalation
from schwarmdesk.knowledge.actions import access_article
from schwarmdesk.knowledge.models import Article
from schwarmdesk.knowledge.queries import agent_of
from schwarmdesk.moderation import actions as moderation
from schwarmdesk.moderation import screening
from schwarmdesk.notifications import hooks as notifications
from schwarmdesk.people.actions import Actor
from schwarmdesk.reputation import actions as reputation
from schwarmdesk.reputation.abilities import has_ability, require_link_ability
from schwarmdesk.text.language import detect_language

log = logging.getLogger(__name__)

MAX_TITLE = 200
MIN_TITLE = 5
MAX_BODY = 20_000
MAX_COMMENT = 2_000
MAX_TAGS = 5
MAX_TAG_LENGTH = 40


def is_staff(actor: Actor) -> bool:
    """Agents (and administrators) moderate: they accept, edit and see hidden posts."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    return agent_of(actor) is not None or bool(getattr(actor, "is_superuser", False))


def _writer(actor: Actor) -> User:
    """The logged-in, active account that writes; Forbidden for anonymous visitors."""
    if not isinstance(actor, User) or not actor.is_authenticated or not actor.is_active:
        raise Forbidden(_("Please log in to write in the community."))
    require_verified(actor)  # a fresh sign-up writes once its e-mail address is confirmed
    return actor


def _readable(actor: Actor) -> list[str]:
    if is_staff(actor):
        return [Visibility.VISIBLE, Visibility.HIDDEN, Visibility.HELD]
    return [Visibility.VISIBLE]


def readable_filter(actor: Actor, prefix: str = "") -> Q:
    """Posts the actor may see: ``_readable`` ones, and their own posts held for review."""
    readable = Q(**{f"{prefix}visibility__in": _readable(actor)})
    if actor is None or not actor.is_authenticated:
        return readable
    own_held = {f"{prefix}visibility": Visibility.HELD, f"{prefix}author_id": actor.pk}
    return readable | Q(**own_held)


def access_question(actor: Actor, pk: int, *, for_update: bool = False) -> Question:
    """The question with this id if the actor may see it; NotFound otherwise.

    Everyone sees visible questions, agents hidden ones too; deleted ones nobody.
    """
    questions = Question.objects.select_related("category", "accepted_answer").filter(
        readable_filter(actor)
    )
    if for_update:
        questions = questions.select_for_update(of=("self",))
    question = questions.filter(pk=pk).first()
    if question is None:
        raise NotFound("no such question")
    return question


def access_answer(actor: Actor, pk: int, *, for_update: bool = False) -> Answer:
    """The answer with this id if the actor may see it and its question; NotFound otherwise."""
    answers = Answer.objects.select_related("question").filter(
        readable_filter(actor), readable_filter(actor, "question__")
    )
    if for_update:
        answers = answers.select_for_update(of=("self",))
    answer = answers.filter(pk=pk).first()
    if answer is None:
        raise NotFound("no such answer")
    return answer


def access_comment(actor: Actor, pk: int, *, for_update: bool = False) -> Comment:
    """The comment with this id if the actor may see it and what it is under; else NotFound."""
    comments = Comment.objects.select_related("question", "answer__question").filter(
        readable_filter(actor)
    )
    if for_update:
        comments = comments.select_for_update(of=("self",))
    comment = comments.filter(pk=pk).first()
    if comment is None:
        raise NotFound("no such comment")
    # the post it belongs to must be readable too
    if comment.answer_id is not None:
        access_answer(actor, comment.answer_id)
    else:
        access_question(actor, comment.question_id or 0)
    return comment


def _require_author_or_staff(user: User, author_id: int, what: str) -> None:
    if user.pk != author_id and not is_staff(user):
        raise Forbidden(_("Only the author or an agent may change this."))


def _require_editor(user: User, author_id: int) -> None:
    """The author, an agent or a member whose trust level lets them edit others' posts."""
    if user.pk != author_id and not has_ability(user, "edit_others"):
        raise Forbidden(_("Only the author or an agent may change this."))


def _clean_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned:
        raise Invalid(_("Your question needs a title."))
    if len(cleaned) < MIN_TITLE:
        raise Invalid(_("A title has at least %(limit)s characters.") % {"limit": MIN_TITLE})
    if len(cleaned) > MAX_TITLE:
        raise Invalid(_("A title has at most %(limit)s characters.") % {"limit": MAX_TITLE})
    return cleaned


def _clean_body(body: str, *, required: bool, limit: int = MAX_BODY) -> str:
    cleaned = body.replace("\r\n", "\n").strip()
    if required and not cleaned:
        raise Invalid(_("Please write something first."))
    if len(cleaned) > limit:
        raise Invalid(
            _("The text has %(count)s characters; at most %(limit)s are allowed.")
            % {"count": len(cleaned), "limit": limit}
        )
    return cleaned


def _clean_language(language: str, text: str) -> str:
    if not language:
        detected = detect_language(text).code
        return detected if detected in LANGUAGE_CODES else LANGUAGE_CODES[0]
    if language not in LANGUAGE_CODES:
        raise Invalid(f"unknown language {language!r}")
    return language


def clean_tags(names: Iterable[str]) -> list[str]:
    tags: list[str] = []
    for name in names:
        tag = slugify(name.strip().lower().lstrip("#"))[:MAX_TAG_LENGTH].strip("-")
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise Invalid(_("A question has at most %(limit)s tags.") % {"limit": MAX_TAGS})
    return tags


def _tags(names: Sequence[str]) -> list[Tag]:
    tags = []
    for name in names:
        try:
            with transaction.atomic():
                tag, _created = Tag.objects.get_or_create(name=name)
        except IntegrityError:  # created by a concurrent writer between SELECT and INSERT
            tag = Tag.objects.get(name=name)
        tags.append(tag)
    return tags


def _check_images(images: Sequence[Upload]) -> list[tuple[Upload, str]]:
    if len(images) > MAX_IMAGES:
        raise Invalid(_("A post has at most %(limit)s images.") % {"limit": MAX_IMAGES})
    return [(upload, check_image(upload)) for upload in images]


def _store_images(
    user: User,
    checked: list[tuple[Upload, str]],
    *,
    question: Question | None = None,
    answer: Answer | None = None,
) -> None:
    for upload, content_type in checked:
        image = Image(
            question=question,
            answer=answer,
            filename=clean_filename(upload.filename, fallback="image"),
            content_type=content_type,
            size=len(upload.content),
            sha256=hashlib.sha256(upload.content).hexdigest(),
            uploaded_by=user,
        )
        image.file.save(image.filename, ContentFile(upload.content), save=False)
        try:
            image.save()
        except Exception:
            image.file.delete(save=False)  # no orphan file when the row is not stored
            raise


def _next_revision(**target: Question | Answer | Comment) -> int:
    last = Revision.objects.filter(**target).aggregate(last=Max("number"))["last"] or 0
    return int(last) + 1


@transaction.atomic
def post_question(
    actor: Actor,
    *,
    category: Category,
    title: str,
    body: str = "",
    language: str = "",
    tags: Iterable[str] = (),
    images: Sequence[Upload] = (),
) -> Question:
    """Ask a question in public; the language is detected when none is chosen."""
    user = _writer(actor)
    title = _clean_title(title)
    body = _clean_body(body, required=False)
    require_link_ability(user, title, body)
    screening.check_rate_limit(user)
    verdict = screening.screen(user, text=f"{title}\n{body}")
    language = _clean_language(language, f"{title}\n{body}")
    tag_names = clean_tags(tags)
    checked = _check_images(images)
    now = timezone.now()
    question = Question.objects.create(
        category=category,
        author=user,
        title=title,
        body=body,
        language=language,
        last_activity_at=now,
        visibility=Visibility.HELD if verdict.is_held else Visibility.VISIBLE,
    )
    question.tags.set(_tags(tag_names))
    Revision.objects.create(question=question, number=1, title=title, body=body, author=user)
    _store_images(user, checked, question=question)
    sync_question_index(question)
    reputation.record_post(user, question)
    if verdict.is_held:
        moderation.hold_post(question, verdict)  # escalation starts when a moderator approves
    else:
        escalation.question_posted(question)
    notifications.question_posted(question)  # the asker follows
    automation.question_posted(question.pk)  # triage and answer bot, after commit
    log.info("community.question_posted id=%s language=%s", question.pk, language)
    return question


@transaction.atomic
def edit_question(
    actor: Actor,
    question_id: int,
    *,
    title: str,
    body: str,
    category: Category | None = None,
    tags: Iterable[str] | None = None,
) -> Question:
    """Save a new revision of a question's title and text (the author or an agent)."""
    user = _writer(actor)
    question = access_question(actor, question_id, for_update=True)
    _require_editor(user, question.author_id)
    title = _clean_title(title)
    body = _clean_body(body, required=False)
    require_link_ability(user, title, body)
    fields = []
    if category is not None and category.pk != question.category_id:
        question.category = category
        fields.append("category")
    if tags is not None:
        question.tags.set(_tags(clean_tags(tags)))
    if (title, body) != (question.title, question.body):
        Revision.objects.create(
            question=question,
            number=_next_revision(question=question),
            title=title,
            body=body,
            author=user,
        )
        question.title, question.body = title, body
        question.edited_at = timezone.now()
        fields += ["title", "body", "edited_at"]
    if fields:
        question.save(update_fields=[*fields, "updated_at"])
    if "body" in fields and question.visibility == Visibility.VISIBLE:
        verdict = screening.screen(user, text=f"{title}\n{body}", exclude=question)
        if verdict.is_held:
            moderation.rehold_post(question, verdict)
    sync_question_index(question)
    return question


@transaction.atomic
def post_answer(
    actor: Actor, question_id: int, *, body: str, images: Sequence[Upload] = ()
) -> Answer:
    """Answer a question in public; an agent's answer is official."""
    user = _writer(actor)
    question = access_question(actor, question_id, for_update=True)
    body = _clean_body(body, required=True)
    require_link_ability(user, body)
    screening.check_rate_limit(user)
    verdict = screening.screen(user, text=body)
    checked = _check_images(images)
    answer = Answer.objects.create(
        question=question,
        author=user,
        body=body,
        is_official=agent_of(user) is not None,
        visibility=Visibility.HELD if verdict.is_held else Visibility.VISIBLE,
    )
    Revision.objects.create(answer=answer, number=1, body=body, author=user)
    _store_images(user, checked, answer=answer)
    if verdict.is_held:  # counted, announced and rechecked when a moderator approves it
        moderation.hold_post(answer, verdict)
        reputation.record_post(user, answer)
        log.info("community.answer_held id=%s question=%s", answer.pk, question.pk)
        return answer
    Question.objects.filter(pk=question.pk).update(
        answer_count=F("answer_count") + 1, last_activity_at=answer.created_at
    )
    reputation.record_post(user, answer)
    escalation.recheck(question.pk)
    notifications.answer_posted(answer)  # the answerer follows; followers get an e-mail
    log.info("community.answer_posted id=%s question=%s", answer.pk, question.pk)
    return answer


@transaction.atomic
def edit_answer(actor: Actor, answer_id: int, *, body: str) -> Answer:
    """Save a new revision of an answer (the author or an agent)."""
    user = _writer(actor)
    answer = access_answer(actor, answer_id, for_update=True)
    _require_editor(user, answer.author_id)
    body = _clean_body(body, required=True)
    require_link_ability(user, body)
    if body == answer.body:
        return answer
    Revision.objects.create(
        answer=answer, number=_next_revision(answer=answer), body=body, author=user
    )
    answer.body = body
    answer.edited_at = timezone.now()
    answer.save(update_fields=["body", "edited_at", "updated_at"])
    if answer.visibility == Visibility.VISIBLE:
        verdict = screening.screen(user, text=body, exclude=answer)
        if verdict.is_held:
            moderation.rehold_post(answer, verdict)
    question = access_question(actor, answer.question_id)
    if question.accepted_answer_id == answer.pk:
        sync_question_index(question)  # the accepted answer's text is part of the entry
    return answer


@transaction.atomic
def post_comment(
    actor: Actor, *, question_id: int | None = None, answer_id: int | None = None, body: str
) -> Comment:
    """Comment on a question or an answer."""
    user = _writer(actor)
    body = _clean_body(body, required=True, limit=MAX_COMMENT)
    require_link_ability(user, body)
    if (question_id is None) == (answer_id is None):
        raise Invalid("a comment belongs to a question or to an answer")
    verdict = screening.screen(user, text=body)
    visibility = Visibility.HELD if verdict.is_held else Visibility.VISIBLE
    if answer_id is not None:
        answer = access_answer(actor, answer_id)
        comment = Comment.objects.create(
            answer=answer, author=user, body=body, visibility=visibility
        )
        question_pk = answer.question_id
    else:
        question = access_question(actor, question_id or 0)
        comment = Comment.objects.create(
            question=question, author=user, body=body, visibility=visibility
        )
        question_pk = question.pk
    if verdict.is_held:
        moderation.hold_post(comment, verdict)
        return comment
    Question.objects.filter(pk=question_pk).update(last_activity_at=comment.created_at)
    return comment


@transaction.atomic
def edit_comment(actor: Actor, comment_id: int, *, body: str) -> Comment:
    """Save a new version of a comment (its author, an agent or a trusted member).

    Comments get no revision when posted; the first edit stores the original as version 1,
    so the history always starts with what was first written.
    """
    user = _writer(actor)
    comment = access_comment(actor, comment_id, for_update=True)
    _require_editor(user, comment.author_id)
    body = _clean_body(body, required=True, limit=MAX_COMMENT)
    require_link_ability(user, body)
    if body == comment.body:
        return comment
    if not Revision.objects.filter(comment=comment).exists():
        Revision.objects.create(
            comment=comment, number=1, body=comment.body, author_id=comment.author_id
        )
    Revision.objects.create(
        comment=comment, number=_next_revision(comment=comment), body=body, author=user
    )
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    if comment.visibility == Visibility.VISIBLE:
        verdict = screening.screen(user, text=body)
        if verdict.is_held:
            moderation.rehold_post(comment, verdict)
    log.info("community.comment_edited id=%s by=%s", comment.pk, user.pk)
    return comment


def _vote_target(
    actor: Actor, question_id: int | None, answer_id: int | None
) -> tuple[Question | Answer, dict[str, Question | Answer]]:
    if (question_id is None) == (answer_id is None):
        raise Invalid("a vote is for a question or for an answer")
    if answer_id is not None:
        answer = access_answer(actor, answer_id)
        return answer, {"answer": answer}
    question = access_question(actor, question_id or 0)
    return question, {"question": question}


def _move_score(target: Question | Answer, delta: int) -> None:
    type(target).objects.filter(pk=target.pk).update(score=F("score") + delta)
    target.refresh_from_db(fields=["score"])
    question = target if isinstance(target, Question) else target.question
    if isinstance(target, Question) or question.accepted_answer_id == target.pk:
        fresh = Question.objects.select_related("category", "accepted_answer").get(pk=question.pk)
        sync_question_index(fresh)  # votes feed the ranking's quality prior


@transaction.atomic
def cast_vote(
    actor: Actor,
    *,
    question_id: int | None = None,
    answer_id: int | None = None,
    value: int,
) -> Vote:
    """Vote a question or an answer up (+1) or down (-1): one vote per account and post, never
    on one's own post. Turning an up-vote into a down-vote counts twice; the same vote again
    raises Conflict."""
    user = _writer(actor)
    if value not in (1, -1):
        raise Invalid("a vote is +1 or -1")
    target, lookup = _vote_target(actor, question_id, answer_id)
    if target.author_id == user.pk:
        raise Invalid(_("You cannot vote on your own post."))
    previous = Vote.objects.select_for_update().filter(user=user, **lookup).first()
    if previous is not None:
        if previous.value == value:
            raise Conflict(_("You have already voted."))
        delta = value - previous.value
        previous.value = value
        previous.save(update_fields=["value"])
        vote = previous
    else:
        try:
            with transaction.atomic():
                vote = Vote.objects.create(user=user, value=value, **lookup)
        except IntegrityError:  # the same account voted at the same moment elsewhere
            raise Conflict(_("You have already voted.")) from None
        delta = value
    _move_score(target, delta)
    reputation.record_vote(user, target, value=value)
    question = target if isinstance(target, Question) else target.question
    escalation.recheck(question.pk)
    return vote


@transaction.atomic
def retract_vote(
    actor: Actor, *, question_id: int | None = None, answer_id: int | None = None
) -> Question | Answer:
    """Take one's vote back; returns the post with its new score."""
    user = _writer(actor)
    target, lookup = _vote_target(actor, question_id, answer_id)
    previous = Vote.objects.select_for_update().filter(user=user, **lookup).first()
    if previous is None:
        raise NotFound("you have not voted on this post")
    previous.delete()
    _move_score(target, -previous.value)
    reputation.record_vote(user, target, value=None)
    return target


def _require_asker_or_staff(user: User, question: Question) -> None:
    if user.pk != question.author_id and not is_staff(user):
        raise Forbidden(_("Only the asker or an agent may do this."))


@transaction.atomic
def accept_answer(actor: Actor, answer_id: int) -> Question:
    """Mark an answer as the accepted one (the asker or an agent); the question is solved."""
    user = _writer(actor)
    answer = access_answer(actor, answer_id)
    question = access_question(actor, answer.question_id, for_update=True)
    _require_asker_or_staff(user, question)
    if answer.visibility != Visibility.VISIBLE:
        raise Invalid(_("A hidden answer cannot be accepted."))
    if question.accepted_answer_id == answer.pk:
        return question
    question.accepted_answer = answer
    question.status = QuestionStatus.SOLVED
    question.solved_at = question.solved_at or timezone.now()
    question.save(update_fields=["accepted_answer", "status", "solved_at", "updated_at"])
    sync_question_index(question)
    reputation.record_acceptance(user, question)
    escalation.recheck(question.pk)
    notifications.answer_accepted(user, answer)
    log.info("community.answer_accepted question=%s answer=%s", question.pk, answer.pk)
    return question


@transaction.atomic
def unaccept_answer(actor: Actor, question_id: int) -> Question:
    """Take the acceptance back; the question stays solved until it is reopened."""
    user = _writer(actor)
    question = access_question(actor, question_id, for_update=True)
    _require_asker_or_staff(user, question)
    if question.accepted_answer_id is None:
        return question
    question.accepted_answer = None
    question.save(update_fields=["accepted_answer", "updated_at"])
    sync_question_index(question)
    reputation.record_acceptance(user, question)
    return question


@transaction.atomic
def mark_solved(actor: Actor, question_id: int) -> Question:
    """The asker (or an agent) says the question is solved, with or without an accepted
    answer."""
    user = _writer(actor)
    question = access_question(actor, question_id, for_update=True)
    _require_asker_or_staff(user, question)
    if question.status == QuestionStatus.SOLVED:
        return question
    question.status = QuestionStatus.SOLVED
    question.solved_at = timezone.now()
    question.save(update_fields=["status", "solved_at", "updated_at"])
    sync_question_index(question)
    escalation.recheck(question.pk)
    return question


@transaction.atomic
def reopen_question(actor: Actor, question_id: int) -> Question:
    """Solved after all not: open again, without an accepted answer."""
    user = _writer(actor)
    question = access_question(actor, question_id, for_update=True)
    _require_asker_or_staff(user, question)
    if question.status == QuestionStatus.OPEN:
        return question
    question.status = QuestionStatus.OPEN
    question.solved_at = None
    question.accepted_answer = None
    question.save(update_fields=["status", "solved_at", "accepted_answer", "updated_at"])
    sync_question_index(question)
    reputation.record_acceptance(user, question)
    return question


@transaction.atomic
def delete_question(actor: Actor, question_id: int) -> Question:
    """Withdraw a question (the author or an agent): nobody sees it, search no longer finds it.
    The row stays (answers and votes point at it)."""
    user = _writer(actor)
    question = access_question(actor, question_id, for_update=True)
    _require_author_or_staff(user, question.author_id, "question")
    question.visibility = Visibility.DELETED
    question.save(update_fields=["visibility", "updated_at"])
    sync_question_index(question)
    log.info("community.question_deleted id=%s by=%s", question.pk, user.pk)
    return question


@transaction.atomic
def delete_answer(actor: Actor, answer_id: int) -> Answer:
    """Withdraw an answer (the author or an agent); an accepted answer loses its place."""
    user = _writer(actor)
    answer = access_answer(actor, answer_id, for_update=True)
    _require_author_or_staff(user, answer.author_id, "answer")
    question = access_question(actor, answer.question_id, for_update=True)
    was_public = answer.visibility == Visibility.VISIBLE
    answer.visibility = Visibility.DELETED
    answer.save(update_fields=["visibility", "updated_at"])
    if was_public:  # the count counts public answers (hidden and held ones are not in it)
        Question.objects.filter(pk=question.pk).update(answer_count=F("answer_count") - 1)
    if question.accepted_answer_id == answer.pk:
        question.accepted_answer = None
        question.save(update_fields=["accepted_answer", "updated_at"])
    sync_question_index(question)
    return answer


@transaction.atomic
def record_deflection(
    actor_or_session: Actor | str,
    *,
    question_id: int | None = None,
    article_id: int | None = None,
    typed_title: str = "",
) -> Deflection:
    """Count "this answers my question" once per reader and target.

    The reader is a logged-in user or else a session key. The target is a visible question
    (its ``deflection_count`` moves with F()) or a published help article.
    """
    user, session_key = _reader_key(actor_or_session)
    reader: Actor = user
    if (question_id is None) == (article_id is None):
        raise Invalid("a deflection names a question or a help article")
    target: dict[str, Question | Article]
    if question_id is not None:
        target = {"question": access_question(reader, question_id)}
    else:
        target = {"article": access_article(reader, article_id or 0)}
    lookup = {"user": user} if user is not None else {"session_key": session_key}
    try:
        with transaction.atomic():
            deflection = Deflection.objects.create(
                typed_title=" ".join(typed_title.split())[:MAX_TITLE],
                session_key="" if user is not None else session_key,
                user=user,
                **target,
            )
    except IntegrityError:  # counted before: once per reader and target
        return Deflection.objects.get(**lookup, **target)
    if question_id is not None:
        Question.objects.filter(pk=question_id).update(deflection_count=F("deflection_count") + 1)
    log.info("community.deflected target=%s", next(iter(target)))
    return deflection


def _reader_key(actor_or_session: Actor | str) -> tuple[User | None, str]:
    if isinstance(actor_or_session, str):
        key = actor_or_session.strip()[:40]
        if not key:
            raise Invalid("a deflection needs a session")
        return None, key
    if isinstance(actor_or_session, User) and actor_or_session.is_authenticated:
        return actor_or_session, ""
    raise Invalid("a deflection needs a logged-in user or a session")


_SLUG = re.compile(r"[-a-z0-9]+")


@transaction.atomic
def create_category(
    actor: Actor,
    *,
    name: str,
    slug: str,
    name_en: str = "",
    description: str = "",
    description_en: str = "",
    position: int = 0,
) -> Category:
    """Create a community category, or update the one with this short name (agents only)."""
    if not is_staff(actor) and actor is not None:
        raise Forbidden("only agents keep the community's categories")
    if not _SLUG.fullmatch(slug):
        raise Invalid("a category's short name has only lower-case letters, digits and hyphens")
    if not name.strip():
        raise Invalid("a category needs a name")
    category, _created = Category.objects.update_or_create(
        slug=slug,
        defaults={
            "name": name.strip(),
            "name_en": name_en.strip(),
            "description": description.strip(),
            "description_en": description_en.strip(),
            "position": position,
        },
    )
    return category
