"""Escalation runs that overlap (two workers, a slow run) still open one conversation."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from schwarmdesk.community.models import Question
from schwarmdesk.conversations.models import Conversation
from schwarmdesk.escalation.actions import escalate_due
from schwarmdesk.escalation.models import Escalation, State


@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_open_one_conversation(question: Question) -> None:
    # given a question whose deadline has passed and three runs at the same moment
    later = question.created_at + dt.timedelta(hours=3)
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def run() -> None:
        try:
            barrier.wait()
            escalate_due(later)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then exactly one conversation (SQLite may refuse a loser with "database is locked")
    assert [type(error) for error in errors if "locked" not in str(error)] == []
    assert Conversation.objects.count() == 1
    assert Escalation.objects.get().state == State.ESCALATED
