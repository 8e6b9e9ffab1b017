"""Comments can be edited by their author (and agents); every version stays in the history."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.test import Client

from schwarmdesk.community import actions
from schwarmdesk.community.models import Comment, Question, Revision, Visibility
from schwarmdesk.core.errors import Forbidden, Invalid, NotFound
from schwarmdesk.people.models import Agent


@pytest.fixture
def comment(question: Question, dave_user: User) -> Comment:
    return actions.post_comment(dave_user, question_id=question.pk, body="Im Kundenportal?")


def test_the_author_edits_and_the_original_stays_as_version_one(
    comment: Comment, dave_user: User
) -> None:
    # when Dave edits his comment twice
    actions.edit_comment(dave_user, comment.pk, body="Im Kundenportal unter *Daten*.")
    edited = actions.edit_comment(dave_user, comment.pk, body="Unter Mein Nordlicht → Daten.")

    # then the comment shows the last text and was marked edited
    assert edited.body == "Unter Mein Nordlicht → Daten."
    assert edited.edited_at is not None
    # and the history holds all three versions, the first one as posted
    history = list(Revision.objects.filter(comment=comment).order_by("number"))
    assert [(r.number, r.body, r.author_id) for r in history] == [
        (1, "Im Kundenportal?", dave_user.pk),
        (2, "Im Kundenportal unter *Daten*.", dave_user.pk),
        (3, "Unter Mein Nordlicht → Daten.", dave_user.pk),
    ]


def test_an_unchanged_text_writes_no_version(comment: Comment, dave_user: User) -> None:
    actions.edit_comment(dave_user, comment.pk, body="Im Kundenportal?")
    assert Revision.objects.filter(comment=comment).count() == 0


def test_an_agent_may_edit_another_members_comment(comment: Comment, alice: Agent) -> None:
    actions.edit_comment(alice.user, comment.pk, body="Bitte keine Vertragsnummern posten.")
    history = Revision.objects.filter(comment=comment).order_by("number")
    assert [r.author_id for r in history] == [comment.author_id, alice.user.pk]


@pytest.mark.parametrize("who", ["anonymous", "other member"])
def test_others_cannot_edit_and_nothing_changes(
    comment: Comment, carol_user: User, who: str
) -> None:
    actor = AnonymousUser() if who == "anonymous" else carol_user
    with pytest.raises(Forbidden):
        actions.edit_comment(actor, comment.pk, body="Übernommen!")
    comment.refresh_from_db()
    assert comment.body == "Im Kundenportal?"
    assert comment.edited_at is None
    assert not Revision.objects.filter(comment=comment).exists()


def test_an_empty_text_is_refused(comment: Comment, dave_user: User) -> None:
    with pytest.raises(Invalid):
        actions.edit_comment(dave_user, comment.pk, body="   ")


def test_a_hidden_comment_is_not_found_for_members(comment: Comment, dave_user: User) -> None:
    Comment.objects.filter(pk=comment.pk).update(visibility=Visibility.HIDDEN)
    with pytest.raises(NotFound):
        actions.edit_comment(dave_user, comment.pk, body="Neu")


def test_edit_page_and_history_page(client: Client, comment: Comment, dave_user: User) -> None:
    # given Dave is logged in
    client.force_login(dave_user)

    # when he saves a new text through the edit page
    response = client.post(f"/community/comments/{comment.pk}/edit/", {"body": "Neuer Text"})

    # then he is back at the question, on his comment, which links its history
    question_id = comment.thread_id
    assert response.status_code == 302
    assert response["Location"] == f"/community/questions/{question_id}/#comment-{comment.pk}"
    page = client.get(f"/community/questions/{question_id}/").content.decode()
    assert f'href="/community/comments/{comment.pk}/history/"' in page
    history = client.get(f"/community/comments/{comment.pk}/history/").content.decode()
    assert "Neuer Text" in history
    assert "Im Kundenportal?" in history


def test_history_of_a_comment_under_a_hidden_question_is_not_found(
    client: Client, comment: Comment, dave_user: User, question: Question
) -> None:
    actions.edit_comment(dave_user, comment.pk, body="Neuer Text")
    Question.objects.filter(pk=question.pk).update(visibility=Visibility.HIDDEN)
    assert client.get(f"/community/comments/{comment.pk}/history/").status_code == 404
