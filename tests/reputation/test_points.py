"""Reputation points: one ledger row per source, reversed when the vote or acceptance goes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from schwarmdesk.community import actions
from schwarmdesk.community.models import Answer, Question
from schwarmdesk.core.errors import Conflict
from schwarmdesk.people.models import Agent
from schwarmdesk.reputation.models import PointEvent, Profile


def points(user: User) -> int:
    profile = Profile.objects.filter(user=user).first()
    return profile.points if profile else 0


def ledger(user: User) -> list[tuple[str, int]]:
    return list(PointEvent.objects.filter(user=user).order_by("pk").values_list("reason", "points"))


def test_upvote_on_an_answer_gives_its_author_ten(
    dave_answer: Answer, carol_user: User, dave_user: User
) -> None:
    actions.cast_vote(carol_user, answer_id=dave_answer.pk, value=1)

    assert points(dave_user) == 10
    assert ledger(dave_user) == [("answer_upvoted", 10)]
    assert points(carol_user) == 0


def test_upvote_on_a_question_gives_five_and_a_downvote_costs_two(
    question: Question, carol_user: User, dave_user: User, erin_user: User
) -> None:
    actions.cast_vote(dave_user, question_id=question.pk, value=1)
    actions.cast_vote(erin_user, question_id=question.pk, value=-1)

    assert points(carol_user) == 3
    assert ledger(carol_user) == [("question_upvoted", 5), ("downvoted", -2)]


def test_changing_retracting_and_voting_again_never_counts_twice(
    dave_answer: Answer, carol_user: User, dave_user: User
) -> None:
    actions.cast_vote(carol_user, answer_id=dave_answer.pk, value=1)
    with pytest.raises(Conflict):
        actions.cast_vote(carol_user, answer_id=dave_answer.pk, value=1)
    assert points(dave_user) == 10

    actions.cast_vote(carol_user, answer_id=dave_answer.pk, value=-1)
    assert points(dave_user) == -2
    assert ledger(dave_user) == [("downvoted", -2)]

    actions.retract_vote(carol_user, answer_id=dave_answer.pk)
    assert points(dave_user) == 0
    assert ledger(dave_user) == []

    actions.cast_vote(carol_user, answer_id=dave_answer.pk, value=1)
    assert points(dave_user) == 10
    assert PointEvent.objects.count() == 1


def test_accepting_gives_fifteen_to_the_answerer_and_two_to_the_asker(
    dave_answer: Answer, carol_user: User, dave_user: User
) -> None:
    actions.accept_answer(carol_user, dave_answer.pk)
    actions.accept_answer(carol_user, dave_answer.pk)  # the same again changes nothing

    assert points(dave_user) == 15
    assert points(carol_user) == 2
    assert ledger(dave_user) == [("answer_accepted", 15)]
    assert ledger(carol_user) == [("accepted_an_answer", 2)]


def test_unaccepting_reverses_and_accepting_again_counts_once(
    dave_answer: Answer, question: Question, carol_user: User, dave_user: User
) -> None:
    actions.accept_answer(carol_user, dave_answer.pk)
    actions.unaccept_answer(carol_user, question.pk)
    assert (points(dave_user), points(carol_user)) == (0, 0)
    assert PointEvent.objects.count() == 0

    actions.accept_answer(carol_user, dave_answer.pk)
    assert (points(dave_user), points(carol_user)) == (15, 2)
    assert PointEvent.objects.count() == 2


def test_accepting_another_answer_moves_the_fifteen_points(
    dave_answer: Answer, question: Question, carol_user: User, dave_user: User, erin_user: User
) -> None:
    erin_answer = actions.post_answer(erin_user, question.pk, body="Oder per Brief.")
    actions.accept_answer(carol_user, dave_answer.pk)

    actions.accept_answer(carol_user, erin_answer.pk)

    assert (points(dave_user), points(erin_user), points(carol_user)) == (0, 15, 2)


def test_reopening_takes_the_acceptance_points_back(
    dave_answer: Answer, question: Question, carol_user: User, dave_user: User
) -> None:
    actions.accept_answer(carol_user, dave_answer.pk)

    actions.reopen_question(carol_user, question.pk)

    assert (points(dave_user), points(carol_user)) == (0, 0)


def test_accepting_ones_own_answer_earns_nothing(question: Question, carol_user: User) -> None:
    own = actions.post_answer(carol_user, question.pk, body="Hab es selbst gefunden.")

    actions.accept_answer(carol_user, own.pk)

    assert points(carol_user) == 0
    assert PointEvent.objects.count() == 0


def test_an_agent_accepting_gives_the_answerer_points_but_earns_none(
    dave_answer: Answer, dave_user: User, alice: Agent
) -> None:
    actions.accept_answer(alice.user, dave_answer.pk)

    assert points(dave_user) == 15
    assert points(alice.user) == 0


def test_the_cached_total_equals_the_ledger(
    dave_answer: Answer, question: Question, carol_user: User, dave_user: User, erin_user: User
) -> None:
    actions.cast_vote(carol_user, answer_id=dave_answer.pk, value=1)
    actions.cast_vote(erin_user, answer_id=dave_answer.pk, value=-1)
    actions.cast_vote(dave_user, question_id=question.pk, value=1)
    actions.accept_answer(carol_user, dave_answer.pk)
    actions.retract_vote(erin_user, answer_id=dave_answer.pk)

    for user, expected in ((dave_user, 25), (carol_user, 7), (erin_user, 0)):
        assert points(user) == expected
        assert sum(value for _reason, value in ledger(user)) == expected
