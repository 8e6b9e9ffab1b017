"""Votes at the same moment: the cached total always equals the ledger."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Sum

from schwarmdesk.community import actions
from schwarmdesk.community.models import Answer
from schwarmdesk.core.errors import Conflict
from schwarmdesk.reputation.models import PointEvent, Profile
from tests.reputation.conftest import member


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_keep_total_and_ledger_equal(dave_answer: Answer, dave_user: User) -> None:
    # given four members voting on Dave's answer at the same moment, each twice
    voters = [member(number) for number in range(4)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(voters) * 2)

    def vote(user: User) -> None:
        try:
            barrier.wait()
            actions.cast_vote(user, answer_id=dave_answer.pk, value=1)
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

    # then every stored vote earned 10 points once, and the total is the ledger's sum
    assert [type(error) for error in errors if "locked" not in str(error)] == []
    votes = dave_answer.votes.count()
    ledger = PointEvent.objects.filter(user=dave_user).aggregate(total=Sum("points"))["total"]
    assert ledger == 10 * votes
    assert Profile.objects.get(user=dave_user).points == ledger
