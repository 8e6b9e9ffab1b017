"""How questions appear in the search index: visible ones for everyone, with the accepted
answer's text, so search-before-ask finds the answer too; hidden or deleted ones not at all."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from schwarmdesk.community.models import Question, Visibility
from schwarmdesk.core.markdown import markdown_to_text
from schwarmdesk.search.fusion import quality_prior
from schwarmdesk.search.indexing import IndexEntry, index_document, remove_document
from schwarmdesk.search.models import Audience, Kind
from schwarmdesk.search.registry import IndexSource, register


def question_entry(question: Question) -> IndexEntry | None:
    """The index entry of a question, or None when it must not be found."""
    if question.visibility != Visibility.VISIBLE:
        return None
    accepted = question.accepted_answer
    if accepted is not None and accepted.visibility != Visibility.VISIBLE:
        accepted = None
    parts = [markdown_to_text(question.body)]
    if accepted is not None:
        parts.append(markdown_to_text(accepted.body))
    age = timezone.now() - question.created_at
    return IndexEntry(
        kind=Kind.QUESTION,
        object_id=question.pk,
        audience=Audience.PUBLIC,
        title=question.title,
        body="\n".join(part for part in parts if part),
        language=question.language,
        url=question.get_absolute_url(),
        category=question.category.slug,
        tags=tuple(tag.name for tag in question.tags.all()),
        quality=quality_prior(
            is_accepted=accepted is not None,
            is_official=accepted is not None and accepted.is_official,
            votes=question.score + (accepted.score if accepted is not None else 0),
            age_days=age.total_seconds() / 86400,
        ),
    )


def sync_question_index(question: Question) -> None:
    """Index a visible question, remove any other; in the caller's transaction."""
    entry = question_entry(question)
    if entry is None:
        remove_document(Kind.QUESTION, question.pk)
    else:
        index_document(entry)


def _batch(after: int, size: int) -> Sequence[tuple[int, IndexEntry | None]]:
    questions = (
        Question.objects.filter(pk__gt=after)
        .select_related("category", "accepted_answer")
        .prefetch_related("tags")
        .order_by("pk")
    )
    return [(question.pk, question_entry(question)) for question in questions[:size]]


def register_source() -> None:
    register(IndexSource(kind=Kind.QUESTION, batch=_batch, objects=Question.objects.all))
