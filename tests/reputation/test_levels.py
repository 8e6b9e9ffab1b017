"""Trust levels unlock abilities: links from level 1, editing others' posts from level 2,
hiding by one flag from level 3; agents may do everything."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.test import Client
from django.utils import translation

from schwarmdesk.community import actions
from schwarmdesk.community.models import Answer, Category, Comment, Question
from schwarmdesk.core.errors import Forbidden, Invalid
from schwarmdesk.people.models import Agent
from schwarmdesk.reputation.abilities import contains_link, has_ability, trust_level_of
from schwarmdesk.reputation.models import Profile
from schwarmdesk.reputation.rules import TrustLevel

LINK = "Siehe [Kundenportal](https://example.com/portal)."


def give_points(user: User, points: int) -> None:
    Profile.objects.update_or_create(user=user, defaults={"points": points})


@pytest.mark.parametrize(
    ("points", "level"),
    [
        (0, TrustLevel.NEW),
        (9, TrustLevel.NEW),
        (10, TrustLevel.MEMBER),
        (99, TrustLevel.MEMBER),
        (100, TrustLevel.REGULAR),
        (499, TrustLevel.REGULAR),
        (500, TrustLevel.LEADER),
    ],
)
def test_levels_follow_the_thresholds(dave_user: User, points: int, level: TrustLevel) -> None:
    give_points(dave_user, points)

    assert trust_level_of(dave_user) == level


@pytest.mark.parametrize(
    "text",
    [
        "https://example.com",
        "see www.example.com now",
        "[x](/relative)",
        "<a href=x>x</a>",
        "[x]: http://example.com",
    ],
)
def test_links_are_recognised(text: str) -> None:
    assert contains_link(text)


@pytest.mark.parametrize("text", ["Kein Link (nur Klammern) [Hinweis]", "mail@example.com", "v1.2"])
def test_plain_text_is_no_link(text: str) -> None:
    assert not contains_link(text)


def test_a_new_member_cannot_post_links_and_nothing_is_stored(
    question: Question, dave_user: User, billing: Category
) -> None:
    with translation.override("en"):
        for write in (
            lambda: actions.post_question(dave_user, category=billing, title="Mit Link", body=LINK),
            lambda: actions.post_answer(dave_user, question.pk, body=LINK),
            lambda: actions.post_comment(dave_user, question_id=question.pk, body=LINK),
        ):
            with pytest.raises(Invalid, match="New members cannot post links yet"):
                write()

    assert Question.objects.count() == 1
    assert Answer.objects.count() == 0
    assert Comment.objects.count() == 0


def test_editing_in_a_link_is_refused_at_level_0(question: Question, carol_user: User) -> None:
    with pytest.raises(Invalid):
        actions.edit_question(carol_user, question.pk, title=question.title, body=LINK)

    question.refresh_from_db()
    assert question.body.startswith("Ich bin umgezogen.")


def test_an_upvote_makes_a_member_who_may_post_links(
    question: Question, carol_user: User, dave_user: User
) -> None:
    first = actions.post_answer(dave_user, question.pk, body="Im Kundenportal.")
    actions.cast_vote(carol_user, answer_id=first.pk, value=1)  # +10: level 1

    answer = actions.post_answer(dave_user, question.pk, body=LINK)

    assert answer.body == LINK
    assert has_ability(dave_user, "post_links")


def test_agents_post_links_at_once(question: Question, alice: Agent) -> None:
    answer = actions.post_answer(alice.user, question.pk, body=LINK)

    assert answer.is_official


def test_editing_others_posts_needs_level_2(question: Question, dave_user: User) -> None:
    give_points(dave_user, 99)
    with pytest.raises(Forbidden):
        actions.edit_question(dave_user, question.pk, title="Rechnungsadresse ändern", body="x")

    give_points(dave_user, 100)
    edited = actions.edit_question(
        dave_user, question.pk, title="Rechnungsadresse nach Umzug ändern", body="Umgezogen."
    )

    assert edited.title == "Rechnungsadresse nach Umzug ändern"
    assert edited.revisions.get(number=2).author == dave_user


def test_a_regular_edits_an_answer_but_may_not_delete_it(
    dave_answer: Answer, erin_user: User
) -> None:
    give_points(erin_user, 100)

    actions.edit_answer(erin_user, dave_answer.pk, body="Im Kundenportal unter Meine Daten.")
    with pytest.raises(Forbidden):
        actions.delete_answer(erin_user, dave_answer.pk)

    dave_answer.refresh_from_db()
    assert dave_answer.body == "Im Kundenportal unter Meine Daten."
    assert dave_answer.visibility == "visible"


@pytest.mark.parametrize(
    ("points", "abilities"),
    [
        (0, []),
        (10, ["post_links"]),
        (100, ["post_links", "edit_others"]),
        (500, ["post_links", "edit_others", "hide_by_flag"]),
    ],
)
def test_abilities_by_level(dave_user: User, points: int, abilities: list[str]) -> None:
    give_points(dave_user, points)

    granted = [
        a for a in ("post_links", "edit_others", "hide_by_flag") if has_ability(dave_user, a)
    ]

    assert granted == abilities


def test_agents_have_every_ability_and_visitors_none(alice: Agent) -> None:
    for ability in ("post_links", "edit_others", "hide_by_flag"):
        assert has_ability(alice.user, ability)
        assert not has_ability(AnonymousUser(), ability)
        assert not has_ability(None, ability)


def test_a_regular_sees_edit_links_on_others_posts_but_no_delete(
    client: Client, dave_answer: Answer, question: Question, erin_user: User
) -> None:
    client.force_login(erin_user)
    before = client.get(question.get_absolute_url()).content.decode()
    give_points(erin_user, 100)

    html = client.get(question.get_absolute_url()).content.decode()

    assert f'href="/community/questions/{question.pk}/edit/"' not in before
    assert f'href="/community/questions/{question.pk}/edit/"' in html
    assert f'href="/community/answers/{dave_answer.pk}/edit/"' in html
    assert f'action="/community/answers/{dave_answer.pk}/delete/"' not in html
    assert client.get(f"/community/answers/{dave_answer.pk}/edit/").status_code == 200
