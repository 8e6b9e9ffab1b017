"""Flags: one per member and post, a post hides at the threshold or at once for a trusted
member, and a hidden question leaves the public pages and search."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.utils import translation

from schwarmdesk.community import actions as community
from schwarmdesk.community.models import Answer, Question, Visibility
from schwarmdesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from schwarmdesk.moderation import actions
from schwarmdesk.moderation.models import Decision, DecisionKind, Flag
from schwarmdesk.people.models import Agent
from schwarmdesk.reputation.models import Profile
from schwarmdesk.reputation.rules import LEVEL_THRESHOLDS, TrustLevel
from schwarmdesk.search.models import Kind, SearchDocument

HTMX = {"HX-Request": "true"}


def is_indexed(question: Question) -> bool:
    return SearchDocument.objects.filter(kind=Kind.QUESTION, object_id=question.pk).exists()


def test_a_question_hides_when_open_flags_reach_the_threshold(
    question: Question, dave_user: User, erin: User, frank: User
) -> None:
    # given two flags, below the default threshold of three
    actions.flag_post(dave_user, "question", question.pk, reason="spam")
    actions.flag_post(erin, "question", question.pk, reason="offensive", text="Beleidigend")
    question.refresh_from_db()
    assert question.visibility == Visibility.VISIBLE
    assert is_indexed(question)

    # when the third member flags it
    actions.flag_post(frank, "question", question.pk, reason="off_topic")

    # then it is hidden, out of search, and the automatic decision is recorded
    question.refresh_from_db()
    assert question.visibility == Visibility.HIDDEN
    assert not is_indexed(question)
    decision = Decision.objects.get()
    assert (decision.kind, decision.moderator, decision.question_id) == (
        DecisionKind.AUTO_HIDE,
        None,
        question.pk,
    )
    assert decision.previous_visibility == "visible"
    assert Flag.objects.filter(question=question, is_open=True).count() == 3
    with pytest.raises(NotFound):
        community.access_question(None, question.pk)


@override_settings(FLAG_HIDE_THRESHOLD=1)
def test_the_threshold_is_a_setting_and_answers_hide_too(
    question: Question, dave_user: User, erin: User
) -> None:
    answer = community.post_answer(dave_user, question.pk, body="Im Kundenportal unter Profil.")
    assert Question.objects.get(pk=question.pk).answer_count == 1

    actions.flag_post(erin, "answer", answer.pk, reason="spam")

    assert Answer.objects.get(pk=answer.pk).visibility == Visibility.HIDDEN
    assert Question.objects.get(pk=question.pk).answer_count == 0


def test_one_flag_per_member_and_post(question: Question, dave_user: User) -> None:
    actions.flag_post(dave_user, "question", question.pk, reason="spam")

    with translation.override("en"), pytest.raises(Conflict, match="already flagged"):
        actions.flag_post(dave_user, "question", question.pk, reason="other")

    assert Flag.objects.filter(question=question).count() == 1


def test_nobody_flags_their_own_post_and_a_reason_is_needed(
    question: Question, carol_user: User, dave_user: User
) -> None:
    with translation.override("en"), pytest.raises(Invalid, match="your own post"):
        actions.flag_post(carol_user, "question", question.pk, reason="spam")
    with translation.override("en"), pytest.raises(Invalid, match="choose a reason"):
        actions.flag_post(dave_user, "question", question.pk, reason="boring")
    with pytest.raises(Forbidden):
        actions.flag_post(None, "question", question.pk, reason="spam")

    assert Flag.objects.count() == 0


def test_a_flag_from_a_member_with_the_hide_ability_hides_at_once(
    question: Question, erin: User
) -> None:
    Profile.objects.create(user=erin, points=LEVEL_THRESHOLDS[TrustLevel.LEADER])

    actions.flag_post(erin, "question", question.pk, reason="offensive")

    question.refresh_from_db()
    assert question.visibility == Visibility.HIDDEN
    decision = Decision.objects.get()
    assert (decision.kind, decision.moderator, decision.note) == (
        DecisionKind.AUTO_HIDE,
        erin,
        "hide_by_flag",
    )


def test_an_agent_flag_hides_at_once(question: Question, alice: Agent) -> None:
    actions.flag_post(alice.user, "question", question.pk, reason="spam")

    assert Question.objects.get(pk=question.pk).visibility == Visibility.HIDDEN


def test_comments_can_be_flagged_and_hidden(
    question: Question, carol_user: User, dave_user: User, alice: Agent
) -> None:
    comment = community.post_comment(dave_user, question_id=question.pk, body="Das ist Werbung.")

    actions.flag_post(carol_user, "comment", comment.pk, reason="spam")
    actions.flag_post(alice.user, "comment", comment.pk, reason="spam")

    comment.refresh_from_db()
    assert comment.visibility == Visibility.HIDDEN
    assert Flag.objects.filter(comment=comment).count() == 2


def test_flag_form_is_on_the_question_page_for_members_only(
    client: Client, question: Question, dave_user: User
) -> None:
    url = f"/community/questions/{question.pk}/"
    flag_url = f"/community/moderation/questions/{question.pk}/flag/"

    anonymous = client.get(url).content.decode()
    client.force_login(dave_user)
    member = client.get(url).content.decode()

    assert flag_url not in anonymous
    assert f'hx-post="{flag_url}"' in member
    assert 'name="reason" value="spam"' in member


def test_flagging_through_htmx_answers_with_a_thank_you(
    client: Client, question: Question, dave_user: User
) -> None:
    client.force_login(dave_user)
    flag_url = f"/community/moderation/questions/{question.pk}/flag/"

    response = client.post(flag_url, {"reason": "spam", "text": "Werbung"}, headers=HTMX)
    again = client.post(flag_url, {"reason": "spam"}, headers=HTMX)

    assert response.status_code == 200
    assert "Danke. Eine Moderatorin oder ein Moderator sieht sich den Beitrag an." in (
        response.content.decode()
    )
    assert again.status_code == 400
    flag = Flag.objects.get()
    assert (flag.user, flag.reason, flag.text) == (dave_user, "spam", "Werbung")


def test_flagging_needs_a_login(client: Client, question: Question) -> None:
    response = client.post(
        f"/community/moderation/questions/{question.pk}/flag/", {"reason": "spam"}
    )

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")
    assert Flag.objects.count() == 0
