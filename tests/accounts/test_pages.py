"""The public profile, "my questions" and the account settings."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from schwarmdesk.accounts.models import NotifyLevel, Profile
from schwarmdesk.community import actions as community
from schwarmdesk.community.models import Answer, Category, Question, Visibility
from schwarmdesk.people.models import Agent, Customer

QUERIES_PER_PROFILE = 8


def html_of(client: Client, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_profile_shows_public_posts_only_and_nothing_private(
    client: Client, question: Question, dave_user: User, billing: Category
) -> None:
    # given Carol's visible question, a withdrawn and a hidden one, and her answers
    withdrawn = community.post_question(
        carol := question.author, category=billing, title="Alte Frage?"
    )
    community.delete_question(carol, withdrawn.pk)
    hidden = community.post_question(carol, category=billing, title="Versteckte Frage")
    Question.objects.filter(pk=hidden.pk).update(visibility=Visibility.HIDDEN)
    daves = community.post_question(dave_user, category=billing, title="Daves Frage zur Rechnung")
    visible_answer = community.post_answer(carol, daves.pk, body="Sichtbare Antwort von Carol")
    hidden_answer = community.post_answer(carol, daves.pk, body="Versteckte Antwort von Carol")
    Answer.objects.filter(pk=hidden_answer.pk).update(visibility=Visibility.HIDDEN)

    # when anyone opens her profile
    questions_tab = html_of(client, "/community/users/carol/", **{"accept-language": "en"})
    answers_tab = html_of(client, "/community/users/carol/?show=answers")

    # then they see her public name, initials and public posts, and nothing else
    assert '<h1 id="profile-title">Carol C.</h1>' in questions_tab
    assert '<span class="avatar avatar--large avatar--member" aria-hidden="true">CC</span>' in (
        questions_tab
    )
    assert "Member since" in questions_tab
    assert "Questions (1)" in questions_tab
    assert "Answers (1)" in questions_tab
    assert question.title in questions_tab
    assert "Alte Frage?" not in questions_tab
    assert "Versteckte Frage" not in questions_tab
    assert f"#answer-{visible_answer.pk}" in answers_tab
    assert "Sichtbare Antwort von Carol" in answers_tab
    assert "Versteckte Antwort" not in answers_tab
    assert 'class="reputation-summary"' in questions_tab
    for page in (questions_tab, answers_tab):
        assert "carol@example.com" not in page
        assert "Clausen" not in page


def test_unknown_or_inactive_member_has_no_profile(client: Client, carol_user: User) -> None:
    User.objects.filter(pk=carol_user.pk).update(is_active=False)

    assert client.get("/community/users/carol/").status_code == 404
    assert client.get("/community/users/nobody/").status_code == 404


def test_author_names_link_to_profiles(client: Client, question: Question, alice: Agent) -> None:
    community.post_answer(alice.user, question.pk, body="Im Kundenportal.")

    page = html_of(client, f"/community/questions/{question.pk}/")

    assert '<a class="author-link" href="/community/users/carol/">' in page
    assert '<a class="author-link" href="/community/users/alice/">' in page


def test_agent_profile_shows_staff_badge(client: Client, alice: Agent) -> None:
    page = html_of(client, "/community/users/alice/")

    assert '<h1 id="profile-title">Alice Albers</h1>' in page
    assert '<span class="avatar avatar--large" aria-hidden="true">AA</span>' in page
    assert '<span class="badge badge--staff">Service-Team</span>' in page


@pytest.mark.parametrize("url", ["/community/mine/", "/accounts/settings/"])
def test_private_pages_need_a_login(client: Client, db: None, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_my_questions_shows_only_own_questions_with_their_state(
    client: Client, question: Question, dave_user: User, billing: Category
) -> None:
    # given Carol's open question, a solved one and one with an answer, and Dave's question
    carol = question.author
    solved = community.post_question(carol, category=billing, title="Gelöste Frage")
    community.mark_solved(carol, solved.pk)
    answered = community.post_question(carol, category=billing, title="Beantwortete Frage")
    community.post_answer(dave_user, answered.pk, body="So geht das.")
    community.post_question(dave_user, category=billing, title="Daves geheime Frage")

    # when Carol opens her page
    client.force_login(carol)
    page = html_of(client, "/community/mine/", **{"accept-language": "en"})

    # then she sees her three questions with their state, and not Dave's
    assert page.count('class="question-item__title"') == 3
    assert "Daves geheime Frage" not in page
    assert "Waiting for answers" in page
    assert '<span class="badge badge--answered">Answered</span>' in page
    assert '<span class="badge badge--solved">Solved</span>' in page

    # and Dave sees only his own
    client.force_login(dave_user)
    daves = html_of(client, "/community/mine/")
    assert daves.count('class="question-item__title"') == 1
    assert question.title not in daves


def test_settings_change_name_language_and_notifications(client: Client, carol_user: User) -> None:
    client.force_login(carol_user)
    assert 'value="Carol Clausen"' in html_of(client, "/accounts/settings/")

    response = client.post(
        "/accounts/settings/",
        {"display_name": "Carola Clausen", "language": "en", "notify": NotifyLevel.MINE},
    )

    assert response.status_code == 302
    profile = Profile.objects.get(user=carol_user)
    assert (profile.language, profile.notify) == ("en", NotifyLevel.MINE)
    assert Customer.objects.get(user=carol_user).display_name == "Carola Clausen"
    page = html_of(client, "/accounts/settings/")
    assert 'value="mine" checked' in page
    assert '<a href="/accounts/password/">' in page


def test_settings_refuse_an_empty_name(client: Client, carol_user: User) -> None:
    client.force_login(carol_user)

    response = client.post(
        "/accounts/settings/",
        {"display_name": " ", "language": "", "notify": NotifyLevel.ALL},
        headers={"accept-language": "en"},
    )

    assert response.status_code == 400
    assert "Please tell us your name." in response.content.decode()
    assert not Profile.objects.filter(user=carol_user).exists()


def test_my_questions_counts_answers_since_the_last_visit(
    client: Client, question: Question, dave_user: User
) -> None:
    # given two answers by Dave and one by Carol herself
    carol = question.author
    community.post_answer(dave_user, question.pk, body="Im Kundenportal.")
    community.post_answer(dave_user, question.pk, body="Oder per Telefon.")
    community.post_answer(carol, question.pk, body="Danke, gefunden.")
    client.force_login(carol)

    # when she opens her questions, then Dave's two answers are new
    first = html_of(client, "/community/mine/", **{"accept-language": "en"})
    assert '<span class="badge badge--new">2 new</span>' in first

    # and on the next visit nothing is new until Dave answers again
    assert "badge--new" not in html_of(client, "/community/mine/")
    community.post_answer(dave_user, question.pk, body="Noch ein Tipp.")
    assert '<span class="badge badge--new">1 neu</span>' in html_of(client, "/community/mine/")


def test_profile_lists_without_n_plus_one(
    client: Client,
    carol_user: User,
    billing: Category,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for number in range(8):
        community.post_question(
            carol_user, category=billing, title=f"Frage Nummer {number}", tags=[f"t{number % 3}"]
        )

    # user, two counts, page count, points, badges, page, tags: the same for 8 as for one
    with django_assert_num_queries(QUERIES_PER_PROFILE):
        html_of(client, "/community/users/carol/")


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/accounts/signup/", "Konto erstellen"),
        ("/accounts/signup/done/", "Sehen Sie in Ihr Postfach"),
        ("/accounts/password-reset/", "Passwort vergessen?"),
        ("/accounts/password-reset/sent/", "Sehen Sie in Ihr Postfach"),
        ("/accounts/password-reset/done/", "Passwort geändert"),
        ("/accounts/login/", "Anmelden"),
    ],
)
def test_public_account_pages_render_in_german(
    client: Client, db: None, url: str, heading: str
) -> None:
    page = html_of(client, url)

    assert f">{heading}</h1>" in page


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/accounts/password/", "Passwort ändern"),
        ("/accounts/password/done/", "Passwort geändert"),
        ("/accounts/settings/", "Kontoeinstellungen"),
        ("/community/mine/", "Meine Fragen"),
    ],
)
def test_private_account_pages_render_in_german(
    client: Client, carol_user: User, url: str, heading: str
) -> None:
    client.force_login(carol_user)

    page = html_of(client, url)

    assert f">{heading}</h1>" in page


def test_login_page_links_to_sign_up_and_password_reset(client: Client, db: None) -> None:
    page = html_of(client, "/accounts/login/")

    assert '<a href="/accounts/password-reset/">Passwort vergessen?</a>' in page
    assert '<a href="/accounts/signup/">Konto erstellen</a>' in page
