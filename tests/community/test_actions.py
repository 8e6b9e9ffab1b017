"""Community actions: posting, editing with history, votes, acceptance, solved state, bad
input and who may do what."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.utils import translation

from schwarmdesk.community import actions
from schwarmdesk.community.models import (
    Answer,
    Category,
    Comment,
    Deflection,
    Image,
    Question,
    QuestionStatus,
    Revision,
    Visibility,
    Vote,
)
from schwarmdesk.community.uploads import Upload
from schwarmdesk.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from schwarmdesk.knowledge.models import Article
from schwarmdesk.people.models import Agent
from schwarmdesk.search.models import SearchDocument

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """The actions' messages are translated; these tests read the English ones."""
    with translation.override("en"):
        yield


def snapshot() -> dict[str, Any]:
    """Everything an action could change, to show that a refused action changed nothing."""
    return {
        "questions": list(
            Question.objects.order_by("pk").values_list(
                "title", "body", "status", "visibility", "accepted_answer", "score", "answer_count"
            )
        ),
        "answers": list(Answer.objects.order_by("pk").values_list("body", "score", "visibility")),
        "comments": Comment.objects.count(),
        "revisions": Revision.objects.count(),
        "votes": list(Vote.objects.order_by("pk").values_list("user", "value")),
        "images": Image.objects.count(),
        "index": list(SearchDocument.objects.order_by("pk").values_list("kind", "title", "body")),
    }


# --- posting -----------------------------------------------------------------------------------


def test_post_question_detects_language_writes_revision_and_index(question: Question) -> None:
    assert question.language == "de"
    assert question.status == QuestionStatus.OPEN
    assert sorted(question.tags.values_list("name", flat=True)) == ["rechnung", "umzug"]
    assert list(question.revisions.values_list("number", "title")) == [
        (1, "Wie kann ich meine Rechnungsadresse ändern?")
    ]
    document = SearchDocument.objects.get(kind="question", object_id=question.pk)
    assert (document.audience, document.language, document.url, document.category) == (
        "public",
        "de",
        f"/community/questions/{question.pk}/",
        "rechnung-zahlung",
    )
    assert document.body == "Ich bin umgezogen. Wo ändere ich die Adresse für die Rechnung?"
    assert document.tags == ["rechnung", "umzug"]


def test_english_question_is_detected_as_english(dave_user: User, billing: Category) -> None:
    asked = actions.post_question(
        dave_user,
        category=billing,
        title="How do I pay my bill by direct debit?",
        body="I would like to set up a direct debit for my monthly invoice.",
    )
    assert asked.language == "en"


def test_answer_and_comment_count_and_touch_the_question(
    question: Question, dave_user: User, alice: Agent
) -> None:
    by_dave = actions.post_answer(dave_user, question.pk, body="Im Kundenportal.")
    by_alice = actions.post_answer(alice.user, question.pk, body="Unter *Persönliche Daten*.")
    comment = actions.post_comment(dave_user, answer_id=by_alice.pk, body="Danke!")

    question.refresh_from_db()
    assert question.answer_count == 2
    assert question.last_activity_at == comment.created_at
    assert (by_dave.is_official, by_alice.is_official) == (False, True)
    assert comment.answer == by_alice


def test_edit_keeps_every_version(question: Question, carol_user: User, dave_user: User) -> None:
    actions.edit_question(
        carol_user, question.pk, title="Rechnungsadresse nach Umzug ändern", body="Neu."
    )
    answer = actions.post_answer(dave_user, question.pk, body="Erste Fassung")
    actions.edit_answer(dave_user, answer.pk, body="Zweite Fassung")
    actions.edit_answer(dave_user, answer.pk, body="Zweite Fassung")  # unchanged: no version

    assert list(question.revisions.order_by("number").values_list("number", "title", "body")) == [
        (1, "Wie kann ich meine Rechnungsadresse ändern?", question.body),
        (2, "Rechnungsadresse nach Umzug ändern", "Neu."),
    ]
    assert list(answer.revisions.order_by("number").values_list("number", "body")) == [
        (1, "Erste Fassung"),
        (2, "Zweite Fassung"),
    ]
    question.refresh_from_db()
    assert question.edited_at is not None
    document = SearchDocument.objects.get(kind="question", object_id=question.pk)
    assert document.title == "Rechnungsadresse nach Umzug ändern"


def test_an_image_is_stored_with_the_question(carol_user: User, billing: Category) -> None:
    asked = actions.post_question(
        carol_user,
        category=billing,
        title="Was bedeutet dieser Posten?",
        images=[Upload(filename="../rechnung.png", content=PNG, content_type="image/png")],
    )
    image = asked.images.get()
    assert (image.filename, image.content_type, image.size) == (
        "rechnung.png",
        "image/png",
        len(PNG),
    )
    assert image.file.read() == PNG


# --- votes -------------------------------------------------------------------------------------


def test_votes_count_once_per_account_and_can_change(
    question: Question, dave_user: User, alice: Agent
) -> None:
    actions.cast_vote(dave_user, question_id=question.pk, value=1)
    actions.cast_vote(alice.user, question_id=question.pk, value=1)
    question.refresh_from_db()
    assert question.score == 2

    actions.cast_vote(dave_user, question_id=question.pk, value=-1)  # up → down counts twice
    question.refresh_from_db()
    assert question.score == 0

    actions.retract_vote(dave_user, question_id=question.pk)
    question.refresh_from_db()
    assert question.score == 1
    assert Vote.objects.count() == 1


def test_voting_twice_is_refused_and_changes_nothing(question: Question, dave_user: User) -> None:
    actions.cast_vote(dave_user, question_id=question.pk, value=1)
    before = snapshot()

    with pytest.raises(Conflict, match="already voted"):
        actions.cast_vote(dave_user, question_id=question.pk, value=1)

    assert snapshot() == before


def test_self_votes_are_refused(question: Question, carol_user: User) -> None:
    before = snapshot()
    with pytest.raises(Invalid, match="your own post"):
        actions.cast_vote(carol_user, question_id=question.pk, value=1)
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_are_all_counted(
    question: Question, alice: Agent, bob: Agent, dave_user: User
) -> None:
    # given three accounts voting on the same answer at the same moment, each twice
    answer = actions.post_answer(dave_user, question.pk, body="Im Portal.")
    voters = [alice.user, bob.user, question.author]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(voters) * 2)

    def vote(user: User) -> None:
        try:
            barrier.wait()
            actions.cast_vote(user, answer_id=answer.pk, value=1)
        except Conflict:
            pass  # the second attempt of the same account
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(user,)) for user in voters * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then each account counts once and the counter equals the rows
    assert [type(error) for error in errors if "locked" not in str(error)] == []
    answer.refresh_from_db()
    assert answer.score == Vote.objects.filter(answer=answer).count()
    assert Vote.objects.filter(answer=answer).values("user").distinct().count() == answer.score


# --- accepting and solving ---------------------------------------------------------------------


def test_asker_accepts_an_answer_and_the_question_is_solved(
    question: Question, carol_user: User, dave_user: User
) -> None:
    answer = actions.post_answer(dave_user, question.pk, body="Im Portal unter *Daten*.")

    solved = actions.accept_answer(carol_user, answer.pk)

    assert (solved.status, solved.accepted_answer_id) == (QuestionStatus.SOLVED, answer.pk)
    assert solved.solved_at is not None
    document = SearchDocument.objects.get(kind="question", object_id=question.pk)
    assert document.body.endswith("Im Portal unter Daten.")
    assert document.quality > 0


def test_agent_accepts_and_asker_reopens(
    question: Question, carol_user: User, alice: Agent
) -> None:
    answer = actions.post_answer(alice.user, question.pk, body="Offiziell: im Portal.")
    actions.accept_answer(alice.user, answer.pk)

    reopened = actions.reopen_question(carol_user, question.pk)

    assert (reopened.status, reopened.accepted_answer_id, reopened.solved_at) == (
        "open",
        None,
        None,
    )


def test_mark_solved_without_an_accepted_answer(question: Question, carol_user: User) -> None:
    solved = actions.mark_solved(carol_user, question.pk)
    assert (solved.status, solved.accepted_answer_id) == ("solved", None)


def test_accepting_an_answer_to_someone_elses_question_is_refused(
    question: Question, dave_user: User, bob: Agent
) -> None:
    answer = actions.post_answer(bob.user, question.pk, body="Im Portal.")
    before = snapshot()

    with pytest.raises(Forbidden, match="Only the asker or an agent"):
        actions.accept_answer(dave_user, answer.pk)

    assert snapshot() == before


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [
        ("", "Text", "needs a title"),
        ("   ", "Text", "needs a title"),
        ("Hä?", "Text", "at least 5 characters"),
        ("x" * 201, "Text", "at most 200 characters"),
        ("Riesiger Text", "a" * 2 * 1024 * 1024, "at most 20000 are allowed"),
    ],
)
def test_bad_questions_are_refused_and_nothing_is_stored(
    carol_user: User, billing: Category, title: str, body: str, message: str
) -> None:
    with pytest.raises(Invalid, match=message):
        actions.post_question(carol_user, category=billing, title=title, body=body)
    assert Question.objects.count() == 0
    assert SearchDocument.objects.count() == 0


def test_empty_or_huge_answers_are_refused(question: Question, dave_user: User) -> None:
    before = snapshot()
    with pytest.raises(Invalid, match="write something"):
        actions.post_answer(dave_user, question.pk, body="  \n ")
    with pytest.raises(Invalid, match="at most 20000"):
        actions.post_answer(dave_user, question.pk, body="a" * 2 * 1024 * 1024)
    with pytest.raises(Invalid, match="at most 2000"):
        actions.post_comment(dave_user, question_id=question.pk, body="a" * 2001)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (Upload(filename="x.png", content=b"", content_type="image/png"), "empty"),
        (Upload(filename="x.svg", content=b"<svg/>", content_type="image/svg+xml"), "Only PNG"),
        (Upload(filename="x.png", content=b"GIF89a" + bytes(20), content_type="image/png"), "not"),
        (Upload(filename="x.png", content=PNG + bytes(6 * 1024 * 1024), content_type="image/png"),
         "at most"),
    ],
)  # fmt: skip
def test_bad_images_are_refused_and_nothing_is_stored(
    carol_user: User, billing: Category, upload: Upload, message: str
) -> None:
    with pytest.raises(Invalid, match=message):
        actions.post_question(carol_user, category=billing, title="Bild dabei", images=[upload])
    assert (Question.objects.count(), Image.objects.count()) == (0, 0)


# --- permissions matrix ------------------------------------------------------------------------

WRITE_ACTIONS: dict[str, Callable[[Any, Question, Answer], object]] = {
    "post_question": lambda actor, q, a: actions.post_question(
        actor, category=q.category, title="Noch eine Frage"
    ),
    "post_answer": lambda actor, q, a: actions.post_answer(actor, q.pk, body="Antwort"),
    "comment_question": lambda actor, q, a: actions.post_comment(
        actor, question_id=q.pk, body="Kommentar"
    ),
    "comment_answer": lambda actor, q, a: actions.post_comment(
        actor, answer_id=a.pk, body="Kommentar"
    ),
    "vote_question": lambda actor, q, a: actions.cast_vote(actor, question_id=q.pk, value=1),
    "vote_answer": lambda actor, q, a: actions.cast_vote(actor, answer_id=a.pk, value=-1),
    "edit_question": lambda actor, q, a: actions.edit_question(
        actor, q.pk, title="Geänderter Titel", body="Geändert"
    ),
    "edit_answer": lambda actor, q, a: actions.edit_answer(actor, a.pk, body="Geändert"),
    "accept_answer": lambda actor, q, a: actions.accept_answer(actor, a.pk),
    "mark_solved": lambda actor, q, a: actions.mark_solved(actor, q.pk),
    "delete_answer": lambda actor, q, a: actions.delete_answer(actor, a.pk),
    "delete_question": lambda actor, q, a: actions.delete_question(actor, q.pk),
}
# Carol asked the question; Bob (an agent) wrote the answer.
ALLOWED: dict[str, set[str]] = {
    "post_question": {"asker", "other_customer", "agent"},
    "post_answer": {"asker", "other_customer", "agent"},
    "comment_question": {"asker", "other_customer", "agent"},
    "comment_answer": {"asker", "other_customer", "agent"},
    "vote_question": {"other_customer", "agent"},  # the asker may not vote on her own question
    "vote_answer": {"asker", "other_customer", "agent"},
    "edit_question": {"asker", "agent"},
    "edit_answer": {"agent"},  # Alice moderates Bob's answer
    "accept_answer": {"asker", "agent"},
    "mark_solved": {"asker", "agent"},
    "delete_answer": {"agent"},
    "delete_question": {"asker", "agent"},
}


@pytest.mark.parametrize("action", sorted(WRITE_ACTIONS))
@pytest.mark.parametrize("who", ["anonymous", "asker", "other_customer", "agent"])
def test_permission_matrix(
    *,
    action: str,
    who: str,
    question: Question,
    carol_user: User,
    dave_user: User,
    alice: Agent,
    bob: Agent,
) -> None:
    answer = actions.post_answer(bob.user, question.pk, body="Offizielle Antwort")
    actor = {
        "anonymous": AnonymousUser(),
        "asker": carol_user,
        "other_customer": dave_user,
        "agent": alice.user,
    }[who]
    before = snapshot()

    if who in ALLOWED[action]:
        WRITE_ACTIONS[action](actor, question, answer)
        assert snapshot() != before
    else:
        with pytest.raises(DomainError) as refused:
            WRITE_ACTIONS[action](actor, question, answer)
        assert isinstance(refused.value, Forbidden | Invalid)
        assert snapshot() == before


def test_deleted_and_hidden_questions_are_gone_for_customers(
    question: Question, carol_user: User, dave_user: User, alice: Agent
) -> None:
    actions.delete_question(carol_user, question.pk)

    assert not SearchDocument.objects.filter(kind="question").exists()
    with pytest.raises(NotFound):
        actions.access_question(dave_user, question.pk)
    with pytest.raises(NotFound):
        actions.access_question(alice.user, question.pk)  # deleted: not even agents
    Question.objects.filter(pk=question.pk).update(visibility=Visibility.HIDDEN)
    assert actions.access_question(alice.user, question.pk) == question
    with pytest.raises(NotFound):
        actions.post_answer(dave_user, question.pk, body="Hallo?")


# --- deflections -------------------------------------------------------------------------------


def test_deflection_is_counted_once_per_reader(
    question: Question, help_article: Article, dave_user: User
) -> None:
    first = actions.record_deflection(
        "session-1", question_id=question.pk, typed_title="Rechnungsadresse ändern"
    )
    again = actions.record_deflection("session-1", question_id=question.pk)
    actions.record_deflection(dave_user, question_id=question.pk)
    actions.record_deflection(dave_user, article_id=help_article.pk)

    question.refresh_from_db()
    assert first == again
    assert question.deflection_count == 2
    assert Deflection.objects.filter(article=help_article).count() == 1
    assert first.typed_title == "Rechnungsadresse ändern"


def test_deflection_to_a_deleted_question_is_refused(question: Question, carol_user: User) -> None:
    actions.delete_question(carol_user, question.pk)
    with pytest.raises(NotFound):
        actions.record_deflection("session-1", question_id=question.pk)
    assert Deflection.objects.count() == 0
