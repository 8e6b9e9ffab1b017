"""The public community pages: lists and filters, the question page, Markdown, the ask form
with its live suggestions, deflections, and writes through the web."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from schwarmdesk.community import actions
from schwarmdesk.community.models import Category, Deflection, Question, Vote
from schwarmdesk.knowledge.models import Article
from schwarmdesk.people.models import Agent
from schwarmdesk.reputation.models import Profile
from schwarmdesk.reputation.rules import LEVEL_THRESHOLDS, TrustLevel

HOME = "/community/"
ASK = "/community/ask/"
SUGGESTIONS = "/community/ask/suggestions/"
DEFLECT = "/community/ask/answered/"
HTMX = {"HX-Request": "true"}


def page(client: Client, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response.content.decode()


def url_of(question: Question) -> str:
    return f"/community/questions/{question.pk}/"


@pytest.fixture
def english(dave_user: User, router: Category) -> Question:
    return actions.post_question(
        dave_user,
        category=router,
        title="Router keeps dropping the connection",
        body="Every evening my Nordbox 7 loses the connection for a few minutes.",
        tags=["router"],
    )


# --- lists -------------------------------------------------------------------------------------


def test_list_is_public_and_shows_counts_badges_and_names(
    client: Client, question: Question, english: Question, dave_user: User, carol_user: User
) -> None:
    answer = actions.post_answer(dave_user, question.pk, body="Im Portal.")
    actions.accept_answer(carol_user, answer.pk)

    html = page(client, HOME)

    assert '<h1 id="community-title">Community</h1>' in html
    assert html.index(url_of(english)) < html.index(url_of(question))  # newest first
    assert '<span class="badge badge--solved">Gelöst</span>' in html
    assert '<span class="stat stat--solved">1 Antwort</span>' in html
    assert '<span class="stat stat--unanswered">0 Antworten</span>' in html
    assert "· Carol C. ·" in html  # customers appear as first name and initial
    assert "carol@example.com" not in html
    assert '<span class="badge badge--language" lang="en">English</span>' in html
    assert '<a class="button button--primary" href="/community/ask/">Frage stellen</a>' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["english", "question", "solved"]),
        ("?sort=unanswered", ["english"]),
        ("?sort=solved", ["solved"]),
        ("?language=en", ["english"]),
        ("?language=de", ["question", "solved"]),
        ("?tag=router", ["english"]),
        ("?sort=solved&language=en", []),
    ],
)
def test_list_filters(
    *,
    client: Client,
    question: Question,
    english: Question,
    carol_user: User,
    billing: Category,
    query: str,
    expected: list[str],
) -> None:
    solved = actions.post_question(carol_user, category=billing, title="SEPA-Mandat widerrufen?")
    actions.post_answer(carol_user, question.pk, body="Nachtrag: gefunden.")  # answered, open
    actions.mark_solved(carol_user, solved.pk)
    questions = {"question": question, "english": english, "solved": solved}

    html = page(client, HOME + query)

    shown = [name for name, item in questions.items() if url_of(item) in html]
    assert sorted(shown) == sorted(expected)


def test_category_page_lists_only_its_questions(
    client: Client, question: Question, english: Question
) -> None:
    html = page(client, "/community/categories/router/")
    assert '<h1 id="community-title">Internet &amp; Router</h1>' in html
    assert url_of(english) in html
    assert url_of(question) not in html
    assert 'href="/community/ask/?category=router"' in html
    assert client.get("/community/categories/nichts/").status_code == 404


def test_list_is_paginated_without_n_plus_one(
    *,
    client: Client,
    carol_user: User,
    dave_user: User,
    alice: Agent,
    billing: Category,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for number in range(25):
        author = (carol_user, dave_user, alice.user)[number % 3]
        actions.post_question(
            author, category=billing, title=f"Frage Nummer {number}", tags=[f"t{number % 4}", "x"]
        )

    # session, count, page, tags, categories: the same for 20 questions as for one
    with django_assert_num_queries(4):
        first = page(client, HOME)
    second = page(client, HOME + "?page=2")

    assert first.count('<li class="question-item') == 20
    assert second.count('<li class="question-item') == 5
    assert "Seite 1 von 2" in first
    assert 'rel="next" href="?page=2"' in first
    assert 'rel="prev" href="?page=1"' in second


# --- the question page -------------------------------------------------------------------------


def test_question_page_shows_accepted_answer_first_then_by_votes(
    *,
    client: Client,
    question: Question,
    carol_user: User,
    dave_user: User,
    alice: Agent,
    bob: Agent,
) -> None:
    early = actions.post_answer(dave_user, question.pk, body="Frühe Antwort")
    popular = actions.post_answer(bob.user, question.pk, body="Beliebte Antwort")
    accepted = actions.post_answer(dave_user, question.pk, body="Akzeptierte Antwort")
    actions.cast_vote(alice.user, answer_id=popular.pk, value=1)
    actions.accept_answer(carol_user, accepted.pk)
    actions.post_comment(dave_user, question_id=question.pk, body="Gleiches Problem hier.")

    html = page(client, url_of(question))

    positions = [html.index(f'id="answer-{answer.pk}"') for answer in (accepted, popular, early)]
    assert positions == sorted(positions)
    assert '<span class="post__label post__label--accepted">✓ Akzeptierte Antwort</span>' in html
    assert '<h2 id="answers-title">3 Antworten</h2>' in html
    assert "<p>Gleiches Problem hier.</p>" in html
    assert '<a href="/accounts/login/?next=/community/questions/' in html  # log in to answer


def test_agent_answer_is_official_with_name_initials_and_badge(
    client: Client, question: Question, alice: Agent
) -> None:
    answer = actions.post_answer(alice.user, question.pk, body="Das geht im Portal.")

    html = page(client, url_of(question))

    assert f'class="post post--answer post--official" id="answer-{answer.pk}"' in html
    assert '<span class="post__label post__label--official">Offizielle Antwort</span>' in html
    assert (
        '<span class="author"><span class="avatar" aria-hidden="true">AA</span>'
        '<span class="author__name">Alice Albers</span> '
        '<span class="badge badge--staff">Service-Team</span></span>'
    ) in html


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src="x" onerror="alert(1)">', '<img src="x"'),
        ("[klick](javascript:alert(1))", 'href="javascript:'),
        ('<a href="https://example.com" onclick="x()">hi</a>', '<a href="https://example.com"'),
        ("![x](javascript:alert(1))", 'src="javascript:'),
        ('<iframe src="https://example.com"></iframe>', "<iframe"),
    ],
)
def test_markdown_is_rendered_inert(
    client: Client, question: Question, dave_user: User, source: str, forbidden: str
) -> None:
    Profile.objects.create(user=dave_user, points=LEVEL_THRESHOLDS[TrustLevel.MEMBER])  # links
    actions.post_answer(dave_user, question.pk, body=f"Vorher **fett**\n\n{source}")
    actions.post_comment(dave_user, question_id=question.pk, body=source)

    html = page(client, url_of(question))
    main = html[html.index('<main id="main"') :]

    assert "<strong>fett</strong>" in main
    assert forbidden not in main
    if source.startswith("<"):  # raw HTML is shown as text
        assert main.count(f"<p>{source.replace('<', '&lt;').replace('>', '&gt;')}</p>") == 2


def test_edit_history_is_viewable(client: Client, question: Question, carol_user: User) -> None:
    actions.edit_question(carol_user, question.pk, title="Rechnungsadresse umstellen", body="Neu")

    html = page(client, url_of(question) + "history/")
    assert html.index("Fassung 2") < html.index("Fassung 1")
    assert '<h2 class="revision__title">Rechnungsadresse umstellen</h2>' in html
    assert '<h2 class="revision__title">Wie kann ich meine Rechnungsadresse ändern?</h2>' in html
    assert f'<a href="{url_of(question)}history/">bearbeitet</a>' in page(client, url_of(question))


# --- asking, suggestions, deflections ----------------------------------------------------------


def test_ask_needs_a_login(client: Client, billing: Category) -> None:
    response = client.get(ASK)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/community/ask/"


def test_german_title_suggests_the_question_and_the_help_article(
    client: Client, question: Question, help_article: Article, english: Question
) -> None:
    html = page(client, SUGGESTIONS + "?title=Rechnungsadresse ändern", **HTMX)

    assert f'href="{url_of(question)}"' in html
    assert 'href="/help/de/rechnungsadresse-aendern/"' in html
    assert url_of(english) not in html
    assert f'name="target" value="question:{question.pk}"' in html
    assert f'name="target" value="article:{help_article.pk}"' in html
    assert 'formaction="/community/ask/answered/"' in html
    assert "Das beantwortet meine Frage" in html
    assert page(client, SUGGESTIONS + "?title=ab", **HTMX).strip() == ""


def test_ask_form_asks_for_suggestions_while_typing(client: Client, carol_user: User) -> None:
    client.force_login(carol_user)
    html = page(client, ASK)
    assert 'hx-get="/community/ask/suggestions/" hx-trigger="input changed delay:400ms"' in html
    assert 'src="/static/django_htmx/htmx-2.min.js"' in html


def test_this_answers_my_question_records_a_deflection(
    client: Client, question: Question, help_article: Article
) -> None:
    response = client.post(
        DEFLECT, {"target": f"question:{question.pk}", "title": "Rechnungsadresse ändern"}
    )
    assert response.status_code == 302
    assert response["Location"] == url_of(question)
    client.post(DEFLECT, {"target": f"article:{help_article.pk}", "title": "Adresse"})

    deflection = Deflection.objects.get(question=question)
    assert (deflection.typed_title, deflection.user) == ("Rechnungsadresse ändern", None)
    assert deflection.session_key == client.session.session_key
    question.refresh_from_db()
    assert question.deflection_count == 1
    assert Deflection.objects.filter(article=help_article).count() == 1
    assert client.post(DEFLECT, {"target": "question:abc"}).status_code == 400


def test_posting_through_the_web(client: Client, carol_user: User, billing: Category) -> None:
    client.force_login(carol_user)

    response = client.post(
        ASK,
        {"title": "Wo finde ich meine Kundennummer?", "body": "Steht sie auf der Rechnung?",
         "category": "rechnung-zahlung", "tags": "rechnung, kundennummer"},
    )  # fmt: skip

    asked = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url_of(asked)
    assert sorted(asked.tags.values_list("name", flat=True)) == ["kundennummer", "rechnung"]


def test_a_refused_question_keeps_the_text_and_explains(
    client: Client, carol_user: User, billing: Category
) -> None:
    client.force_login(carol_user)
    response = client.post(ASK, {"title": "", "body": "Mein Text", "category": "rechnung-zahlung"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Ihre Frage braucht einen Titel." in html
    assert ">Mein Text</textarea>" in html
    assert Question.objects.count() == 0


def test_anonymous_writes_lead_to_the_login(client: Client, question: Question) -> None:
    for url in ("answer/", "vote/", "solved/", "comment/"):
        response = client.post(url_of(question) + url, {"body": "x", "vote": "up"})
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next=")
    assert question.answers.count() == 0
    assert Vote.objects.count() == 0


def test_vote_by_htmx_returns_the_new_score(
    client: Client, question: Question, dave_user: User
) -> None:
    client.force_login(dave_user)
    response = client.post(url_of(question) + "vote/", {"vote": "up"}, headers=HTMX)
    html = response.content.decode()
    assert '<span class="votes__score" aria-label="Stimmen">1</span>' in html
    assert 'value="retract" aria-pressed="true"' in html

    twice = client.post(url_of(question) + "vote/", {"vote": "up"}, headers=HTMX)
    assert twice.status_code == 400
    assert "Sie haben bereits abgestimmt." in twice.content.decode()

    again = client.post(url_of(question) + "vote/", {"vote": "retract"}, headers=HTMX)
    assert again.status_code == 200
    question.refresh_from_db()
    assert question.score == 0  # the pressed button takes the vote back


def test_accepting_someone_elses_question_shows_a_message(
    client: Client, question: Question, dave_user: User, bob: Agent
) -> None:
    answer = actions.post_answer(bob.user, question.pk, body="Im Portal.")
    client.force_login(dave_user)

    response = client.post(f"/community/answers/{answer.pk}/accept/", follow=True)

    assert response.redirect_chain[-1] == ("/community/", 302)
    assert "Nur die fragende Person oder ein Mitarbeiter darf das." in response.content.decode()
    question.refresh_from_db()
    assert question.accepted_answer_id is None
