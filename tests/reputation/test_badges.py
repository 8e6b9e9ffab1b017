"""Badges for milestones, each awarded once."""

from __future__ import annotations

from django.contrib.auth.models import User

from schwarmdesk.community import actions
from schwarmdesk.community.models import Answer, Category, Question
from schwarmdesk.reputation.models import BadgeAward
from tests.reputation.conftest import member


def badges(user: User) -> list[str]:
    return list(BadgeAward.objects.filter(user=user).order_by("pk").values_list("badge", flat=True))


def test_first_question_and_first_answer_once(
    question: Question, carol_user: User, dave_user: User, billing: Category
) -> None:
    actions.post_question(carol_user, category=billing, title="Noch eine Frage zur Rechnung")
    actions.post_answer(dave_user, question.pk, body="Erste Antwort")
    actions.post_answer(dave_user, question.pk, body="Zweite Antwort")

    assert badges(carol_user) == ["first_question"]
    assert badges(dave_user) == ["first_answer"]


def test_first_accepted_answer_is_awarded_once(
    dave_answer: Answer, question: Question, carol_user: User, dave_user: User
) -> None:
    actions.accept_answer(carol_user, dave_answer.pk)
    actions.unaccept_answer(carol_user, question.pk)
    actions.accept_answer(carol_user, dave_answer.pk)

    assert badges(dave_user) == ["first_answer", "first_accepted"]


def test_ten_upvotes_on_one_answer_make_a_good_answer_and_100_points(
    dave_answer: Answer, dave_user: User
) -> None:
    voters = [member(number) for number in range(10)]
    for voter in voters[:9]:
        actions.cast_vote(voter, answer_id=dave_answer.pk, value=1)
    assert badges(dave_user) == ["first_answer"]

    actions.cast_vote(voters[9], answer_id=dave_answer.pk, value=1)
    actions.retract_vote(voters[9], answer_id=dave_answer.pk)
    actions.cast_vote(voters[9], answer_id=dave_answer.pk, value=1)

    assert badges(dave_user) == ["first_answer", "good_answer", "reputation_100"]


def test_five_accepted_answers_make_a_helpful_member(
    carol_user: User, dave_user: User, billing: Category
) -> None:
    for number in range(5):
        asked = actions.post_question(carol_user, category=billing, title=f"Frage Nummer {number}")
        answer = actions.post_answer(dave_user, asked.pk, body="So geht es.")
        actions.accept_answer(carol_user, answer.pk)
        if number == 3:
            assert "helpful" not in badges(dave_user)

    assert badges(dave_user) == ["first_answer", "first_accepted", "helpful"]
