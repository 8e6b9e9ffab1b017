"""Reads for the community pages: lists with filters, one question's thread, categories,
edit history, and the suggestions shown while a customer types a new question."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet

from schwarmdesk.community.actions import (
    access_answer,
    access_comment,
    access_question,
    readable_filter,
)
from schwarmdesk.community.models import (
    LANGUAGE_CODES,
    Answer,
    Category,
    Comment,
    Question,
    QuestionStatus,
    Revision,
    Visibility,
    Vote,
)
from schwarmdesk.core.errors import NotFound
from schwarmdesk.people.actions import Actor
from schwarmdesk.search.duplicates import find_similar
from schwarmdesk.search.models import Kind

PAGE_SIZE = 20
SUGGESTIONS = 5
MIN_SUGGESTION_CHARS = 3
SORTS = ("newest", "unanswered", "solved", "active")

_AUTHOR = ("author", "author__agent", "author__customer", "author__reputation")


def public_name(user: AbstractBaseUser | None) -> str:
    """How a person appears in public: an agent by their display name, a customer by first
    name and the initial of the last name ("Anna S."), never by e-mail address."""
    if user is None:
        return ""
    agent = getattr(user, "agent", None)
    if agent is not None:
        return str(agent.display_name)
    customer = getattr(user, "customer", None)
    full = customer.display_name if customer is not None else ""
    if not full and isinstance(user, User):
        full = user.get_full_name() or user.get_username()
    words = [word for word in full.split() if not word.endswith(".")] or full.split()
    if len(words) >= 2:
        return f"{words[0]} {words[-1][0]}."
    return full


@dataclass(frozen=True)
class ListFilter:
    sort: str = "newest"
    category: str = ""
    tag: str = ""
    language: str = ""

    @classmethod
    def parse(cls, sort: str, category: str, tag: str, language: str) -> ListFilter:
        return cls(
            sort=sort if sort in SORTS else "newest",
            category=category.strip()[:60],
            tag=tag.strip()[:40],
            language=language if language in LANGUAGE_CODES else "",
        )


def list_questions(filters: ListFilter, *, page: int | str = 1) -> Page[Question]:
    """Visible questions, filtered and sorted, one page of :data:`PAGE_SIZE`."""
    questions = Question.objects.filter(visibility=Visibility.VISIBLE)
    if filters.category:
        questions = questions.filter(category__slug=filters.category)
    if filters.tag:
        questions = questions.filter(tags__name=filters.tag)
    if filters.language:
        questions = questions.filter(language=filters.language)
    if filters.sort == "unanswered":
        questions = questions.filter(answer_count=0, status=QuestionStatus.OPEN)
    elif filters.sort == "solved":
        questions = questions.filter(status=QuestionStatus.SOLVED)
    order = ["-last_activity_at", "-pk"] if filters.sort == "active" else ["-created_at", "-pk"]
    questions = (
        questions.select_related("category", *_AUTHOR).prefetch_related("tags").order_by(*order)
    )
    return Paginator(questions, PAGE_SIZE).get_page(page)


@dataclass(frozen=True)
class CategorySummary:
    category: Category
    name: str
    description: str
    question_count: int


def list_categories(language: str) -> list[CategorySummary]:
    categories = Category.objects.annotate(
        count=Count("questions", filter=Q(questions__visibility=Visibility.VISIBLE))
    ).order_by("position", "name", "pk")
    return [
        CategorySummary(
            category=category,
            name=category.name_in(language),
            description=category.description_in(language),
            question_count=category.count,
        )
        for category in categories
    ]


def get_category(slug: str) -> Category:
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise NotFound("no such category")
    return category


@dataclass
class Thread:
    """A question with its answers (the accepted one first, then by votes and time)."""

    question: Question
    answers: list[Answer]
    comments: list[Comment]
    my_votes: dict[str, int] = field(default_factory=dict)  # "q<pk>"/"a<pk>" -> +1/-1


def _visible_comments() -> Prefetch[str]:
    return Prefetch(
        "comments",
        queryset=Comment.objects.filter(visibility=Visibility.VISIBLE).select_related(*_AUTHOR),
    )


def get_thread(reader: Actor, pk: int) -> Thread:
    question = access_question(reader, pk)
    question = (
        Question.objects.select_related("category", *_AUTHOR)
        .prefetch_related("tags", "images", _visible_comments())
        .get(pk=question.pk)
    )
    answers = list(
        question.answers.filter(readable_filter(reader))  # with the reader's own held answers
        .select_related(*_AUTHOR)
        .prefetch_related("images", _visible_comments())
        .order_by("-score", "created_at", "pk")
    )
    answers.sort(key=lambda answer: answer.pk != question.accepted_answer_id)  # stable
    thread = Thread(question=question, answers=answers, comments=list(question.comments.all()))
    if reader is not None and reader.is_authenticated:
        votes = Vote.objects.filter(user_id=reader.pk).filter(
            Q(question=question) | Q(answer__in=answers)
        )
        thread.my_votes = {
            (f"q{vote.question_id}" if vote.question_id else f"a{vote.answer_id}"): vote.value
            for vote in votes
        }
    return thread


def list_revisions(
    reader: Actor,
    *,
    question_id: int | None = None,
    answer_id: int | None = None,
    comment_id: int | None = None,
) -> tuple[Question, QuerySet[Revision]]:
    """A question's, an answer's or a comment's saved states, newest first, with the question
    they belong to."""
    if comment_id is not None:
        comment = access_comment(reader, comment_id)
        if comment.answer is not None:
            question = comment.answer.question
        else:
            question = access_question(reader, comment.question_id or 0)
        revisions = Revision.objects.filter(comment=comment)
    elif answer_id is not None:
        answer = access_answer(reader, answer_id)
        question = access_question(reader, answer.question_id)
        revisions = Revision.objects.filter(answer=answer)
    else:
        question = access_question(reader, question_id or 0)
        revisions = Revision.objects.filter(question=question)
    return question, revisions.select_related(*_AUTHOR).order_by("-number")


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "question" or "article"
    object_id: int
    title: str
    url: str
    language: str
    percent: int
    is_solved: bool = False


def suggest(reader: AbstractBaseUser | AnonymousUser | None, text: str) -> list[Suggestion]:
    """Up to five existing questions (with their accepted answers) and help articles that may
    answer a question being typed."""
    text = " ".join(text.split())
    if len(text) < MIN_SUGGESTION_CHARS:  # fewer letters find noise
        return []
    similar = find_similar(reader, text, kinds=(Kind.QUESTION, Kind.ARTICLE), limit=SUGGESTIONS)
    question_ids = [item.object_id for item in similar if item.kind == Kind.QUESTION]
    solved = set(
        Question.objects.filter(pk__in=question_ids, status=QuestionStatus.SOLVED).values_list(
            "pk", flat=True
        )
    )
    return [
        Suggestion(
            kind=item.kind,
            object_id=item.object_id,
            title=item.title,
            url=item.url,
            language=item.language,
            percent=item.percent,
            is_solved=item.kind == Kind.QUESTION and item.object_id in solved,
        )
        for item in similar
    ]
