"""The leaderboard by month, the rules page, the profile summary and reputation next to names."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from schwarmdesk.community import actions
from schwarmdesk.community.models import Answer, Question
from schwarmdesk.reputation.queries import leaderboard
from tests.reputation.conftest import member

BERLIN = ZoneInfo("Europe/Berlin")


def rows(year: int, month: int) -> list[tuple[int, str, int]]:
    return [(row.rank, row.user.username, row.points) for row in leaderboard(year, month)]


def test_leaderboard_counts_points_in_the_berlin_month(
    question: Question, dave_answer: Answer, carol_user: User, dave_user: User, erin_user: User
) -> None:
    with time_machine.travel(dt.datetime(2026, 10, 31, 23, 59, tzinfo=BERLIN), tick=False):
        actions.cast_vote(carol_user, answer_id=dave_answer.pk, value=1)  # Dave +10 in October
    with time_machine.travel(dt.datetime(2026, 11, 1, 0, 1, tzinfo=BERLIN), tick=False):
        actions.cast_vote(erin_user, question_id=question.pk, value=1)  # Carol +5 in November
        actions.accept_answer(carol_user, dave_answer.pk)  # Dave +15, Carol +2

    assert rows(2026, 10) == [(1, "dave", 10)]
    assert rows(2026, 11) == [(1, "dave", 15), (2, "carol", 7)]
    assert rows(2026, 12) == []


def test_leaderboard_shows_the_top_20(question: Question) -> None:
    for number in range(22):
        answerer = member(number)
        answer = actions.post_answer(answerer, question.pk, body=f"Antwort {number}")
        for voter_number in range(number % 3 + 1):
            voter = User.objects.get_or_create(username=f"voter{voter_number}")[0]
            actions.cast_vote(voter, answer_id=answer.pk, value=1)

    now = dt.datetime.now(BERLIN)
    board = leaderboard(now.year, now.month)

    assert len(board) == 20
    assert [row.points for row in board[:3]] == [30, 30, 30]
    assert board[-1].rank == 20


def test_leaderboard_page_is_public_and_selects_months(
    client: Client, dave_answer: Answer, carol_user: User
) -> None:
    with time_machine.travel(dt.datetime(2026, 10, 15, 12, tzinfo=BERLIN), tick=False):
        actions.cast_vote(carol_user, answer_id=dave_answer.pk, value=1)

    with time_machine.travel(dt.datetime(2026, 11, 20, 12, tzinfo=BERLIN), tick=False):
        current = client.get("/community/leaderboard/", headers={"accept-language": "en"})
        october = client.get("/community/leaderboard/?month=2026-10")

    assert current.status_code == 200
    assert "Nobody has earned points in this month yet." in current.content.decode()
    assert '<option value="2026-10">' in current.content.decode()
    html = october.content.decode()
    assert "<td>1</td><td>Dave D.</td><td>10</td>" in html
    assert '<option value="2026-10" selected>' in html


def test_rules_page_explains_points_levels_and_badges_in_both_languages(client: Client) -> None:
    german = client.get("/community/reputation/").content.decode()
    english = client.get("/community/reputation/", headers={"accept-language": "en"})

    assert "<td>Upvote auf eine Antwort</td><td>+10</td>" in german
    assert "Links posten" in german
    html = english.content.decode()
    assert "<td>Upvote on an answer</td><td>+10</td>" in html
    assert "<td>Downvote received</td><td>-2</td>" in html
    assert (
        "<td>2 \N{EN DASH} Regular</td><td>100 points</td><td>edit other members&#x27; posts</td>"
    ) in html
    assert "<dt>Good answer</dt><dd>One answer received 10 upvotes.</dd>" in html


def test_profile_summary_shows_points_level_and_badges(
    dave_answer: Answer, carol_user: User, dave_user: User
) -> None:
    actions.accept_answer(carol_user, dave_answer.pk)

    with translation.override("en"):
        html = render_to_string("reputation/_profile_summary.html", {"profile_user": dave_user})

    assert '<span class="reputation-points">15 points</span>' in html
    assert '<span class="trust-level trust-level--1">member</span>' in html
    assert (
        '<li class="badge badge--reputation" title="A first answer was accepted.">Solver</li>'
        in (html)
    )


def test_question_page_shows_reputation_without_a_query_per_author(
    client: Client, question: Question, carol_user: User
) -> None:
    first = actions.post_answer(member(1), question.pk, body="Eins")
    actions.cast_vote(carol_user, answer_id=first.pk, value=1)
    url = question.get_absolute_url()
    with CaptureQueriesContext(connection) as two_authors:
        client.get(url)
    for number in range(2, 6):
        actions.post_answer(member(number), question.pk, body=f"Antwort {number}")

    with CaptureQueriesContext(connection) as six_authors:
        html = client.get(url).content.decode()

    assert len(six_authors) == len(two_authors)
    assert 'title="Ansehen: 10 · Mitglied">10</span>' in html
    assert 'title="Ansehen: 0 · neu">0</span>' in html


def test_community_home_links_the_leaderboard_and_the_rules(client: Client, db: None) -> None:
    html = client.get("/community/").content.decode()

    assert '<a href="/community/leaderboard/">Bestenliste</a>' in html
    assert '<a href="/community/reputation/">So funktioniert das Ansehen</a>' in html
    assert "/community/escalations/" not in html


def test_leaderboard_page_needs_a_fixed_number_of_queries(
    client: Client, question: Question, django_assert_max_num_queries: Any
) -> None:
    for number in range(20):
        answer = actions.post_answer(member(number), question.pk, body=f"Antwort {number}")
        actions.cast_vote(member(100 + number), answer_id=answer.pk, value=1)

    with django_assert_max_num_queries(6):
        html = client.get("/community/leaderboard/").content.decode()

    assert html.count("</td><td>10</td></tr>") == 20  # points in the last column
