"""Screening: link spam, repeated posts and offensive language are held for review, not shown
to the public nor found by search, while the author sees that the post awaits review."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import joblib
import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone, translation

from schwarmdesk.community import actions as community
from schwarmdesk.community import queries as community_queries
from schwarmdesk.community.models import Answer, Category, Question, Visibility
from schwarmdesk.core.errors import NotFound
from schwarmdesk.moderation import actions, queries, screening
from schwarmdesk.moderation.detector import train
from schwarmdesk.moderation.evaluation import read_germeval
from schwarmdesk.moderation.models import Decision, Hold
from schwarmdesk.notifications.models import Delivery
from schwarmdesk.people.models import Agent
from schwarmdesk.reputation.models import Profile
from schwarmdesk.reputation.rules import LEVEL_THRESHOLDS, TrustLevel
from schwarmdesk.search.models import Kind, SearchDocument
from schwarmdesk.search.queries import search

SPAM_BODY = "Schnell Geld verdienen im Online-Casino! Jetzt klicken und gewinnen."


def links(count: int) -> str:
    return " ".join(f"https://shop{number}.example.com/angebot" for number in range(count))


def is_indexed(question: Question) -> bool:
    return SearchDocument.objects.filter(kind=Kind.QUESTION, object_id=question.pk).exists()


@pytest.fixture
def linker(erin: User) -> User:
    """A week-old member who may post links (trust level 1)."""
    Profile.objects.create(user=erin, points=LEVEL_THRESHOLDS[TrustLevel.MEMBER])
    return erin


def test_a_clean_question_is_published(dave_user: User, billing: Category) -> None:
    posted = community.post_question(
        dave_user, category=billing, title="Wann kommt die nächste Rechnung?", body="Danke!"
    )

    assert posted.visibility == Visibility.VISIBLE
    assert Hold.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "reasons"),
    [
        (f"Hier alles: {links(4)}", ["many_links"]),
        (SPAM_BODY, ["spam_pattern"]),
        ("Du bist ein Vollidiot, halt die Fresse.", ["offensive"]),
        ("Shut up, you stupid idiot.", ["offensive"]),
    ],
)
def test_a_suspicious_question_is_held_with_its_reasons_and_scores(
    linker: User, billing: Category, body: str, reasons: list[str]
) -> None:
    held = community.post_question(
        linker, category=billing, title="Eine Frage zur Rechnung", body=body
    )

    assert held.visibility == Visibility.HELD
    hold = Hold.objects.get()
    assert (hold.question_id, hold.reasons, hold.is_open) == (held.pk, reasons, True)
    assert hold.scores["detector"] == "word-list"
    assert hold.scores["offense"] == (1.0 if reasons == ["offensive"] else 0.0)
    assert hold.scores["links"] == (4 if reasons == ["many_links"] else 0)
    assert not is_indexed(held)


def test_links_from_a_brand_new_account_are_held(carol_user: User, billing: Category) -> None:
    # Carol's account was made a moment ago; trust level 1 lets her post links in general
    Profile.objects.create(user=carol_user, points=LEVEL_THRESHOLDS[TrustLevel.MEMBER])
    User.objects.filter(pk=carol_user.pk).update(date_joined=timezone.now())
    screening_verdict = screening.screen(carol_user, text="Siehe https://example.com/hilfe")

    assert screening_verdict.reasons == ()  # she earned the ability: reputation vouches

    assert screening.screen(
        User.objects.create_user("newbie"), text="Siehe https://example.com/hilfe"
    ).reasons == ("new_account_links",)


def test_the_same_answer_twice_in_a_short_time_is_held(
    question: Question, erin: User, caplog: pytest.LogCaptureFixture
) -> None:
    text = "Die Adresse ändern Sie im Kundenportal unter Profil und dann Rechnungsadresse."
    first = community.post_answer(erin, question.pk, body=text)

    with caplog.at_level(logging.INFO, logger="schwarmdesk.moderation"):
        second = community.post_answer(erin, question.pk, body=text.replace("dann ", "danach "))

    assert first.visibility == Visibility.VISIBLE
    assert second.visibility == Visibility.HELD
    assert Hold.objects.get().reasons == ["repeated"]
    assert Hold.objects.get().scores["repeat_similarity"] >= 0.8
    assert Question.objects.get(pk=question.pk).answer_count == 1
    assert f"moderation.held user={erin.pk} reasons=repeated" in caplog.text


def test_the_same_text_after_the_window_is_not_a_repetition(question: Question, erin: User) -> None:
    text = "Die Adresse ändern Sie im Kundenportal unter Profil und dann Rechnungsadresse."
    community.post_answer(erin, question.pk, body=text)

    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        later = community.post_answer(erin, question.pk, body=text)

    assert later.visibility == Visibility.VISIBLE


def test_agents_are_never_held(question: Question, alice: Agent) -> None:
    answer = community.post_answer(alice.user, question.pk, body=f"Alle Links: {links(5)}")

    assert answer.visibility == Visibility.VISIBLE


@pytest.fixture
def held_question(linker: User, billing: Category) -> Question:
    return community.post_question(
        linker, category=billing, title="Günstige Angebote für alle Kunden", body=SPAM_BODY
    )


@pytest.mark.parametrize("reader", ["anonymous", "dave", "erin", "alice"])
def test_a_held_question_is_seen_by_its_author_and_staff_only(
    client: Client,
    *,
    held_question: Question,
    dave_user: User,
    linker: User,
    alice: Agent,
    reader: str,
) -> None:
    accounts = {"anonymous": None, "dave": dave_user, "erin": linker, "alice": alice.user}
    account = accounts[reader]
    if account is not None:
        client.force_login(account)

    page = client.get(f"/community/questions/{held_question.pk}/")
    listing = client.get("/community/").content.decode()
    hits = search(account, "Günstige Angebote Kunden")

    may_see = reader in {"erin", "alice"}
    assert page.status_code == (200 if may_see else 404)
    if reader == "erin":
        assert "Wartet auf Prüfung" in page.content.decode()
    assert held_question.title not in listing
    assert [hit for hit in hits if hit.kind == Kind.QUESTION] == []


def test_a_held_answer_is_shown_only_to_its_author(
    question: Question, linker: User, dave_user: User
) -> None:
    held = community.post_answer(linker, question.pk, body=SPAM_BODY)

    own = community_queries.get_thread(linker, question.pk).answers
    other = community_queries.get_thread(dave_user, question.pk).answers
    anonymous = community_queries.get_thread(None, question.pk).answers

    assert [answer.pk for answer in own] == [held.pk]
    assert other == anonymous == []
    with pytest.raises(NotFound):
        community.access_answer(dave_user, held.pk)


def test_a_held_comment_is_not_shown(client: Client, question: Question, linker: User) -> None:
    comment = community.post_comment(linker, question_id=question.pk, body="Du Vollidiot!")

    html = client.get(f"/community/questions/{question.pk}/").content.decode()

    assert comment.visibility == Visibility.HELD
    assert "Vollidiot" not in html


def test_staff_see_held_posts_in_the_queue_and_approval_publishes(
    held_question: Question, alice: Agent
) -> None:
    items = queries.list_queue(alice.user)
    with translation.override("en"):
        assert [(item.target, item.post.pk, item.hold_reasons) for item in items] == [
            ("question", held_question.pk, ["known spam pattern"])
        ]

    actions.decide(alice.user, "question", held_question.pk, kind="approve", note="ok")

    held_question.refresh_from_db()
    assert held_question.visibility == Visibility.VISIBLE
    assert is_indexed(held_question)
    assert Hold.objects.get().is_open is False
    decision = Decision.objects.get()
    assert (decision.moderator, decision.kind, decision.previous_visibility, decision.note) == (
        alice.user,
        "approve",
        "held",
        "ok",
    )
    assert queries.list_queue(alice.user) == []


def test_approving_a_held_answer_counts_it(question: Question, linker: User, alice: Agent) -> None:
    held = community.post_answer(linker, question.pk, body=SPAM_BODY)
    assert Question.objects.get(pk=question.pk).answer_count == 0
    assert Delivery.objects.filter(answer=held).count() == 0  # nobody hears of a held answer

    actions.decide(alice.user, "answer", held.pk, kind="approve")

    assert Answer.objects.get(pk=held.pk).visibility == Visibility.VISIBLE
    assert Question.objects.get(pk=question.pk).answer_count == 1
    assert list(
        Delivery.objects.filter(answer=held).values_list("recipient__username", flat=True)
    ) == ["carol"]


def test_an_edit_that_turns_offensive_holds_the_post_again(
    question: Question, carol_user: User
) -> None:
    assert is_indexed(question)

    community.edit_question(
        carol_user, question.pk, title=question.title, body="Ihr seid alle Idioten, Abschaum!"
    )

    question.refresh_from_db()
    assert question.visibility == Visibility.HELD
    assert not is_indexed(question)
    assert Hold.objects.get().reasons == ["offensive"]


def test_without_a_trained_model_the_word_list_is_used_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="schwarmdesk.moderation"):
        score, threshold, name = screening.offense_score("Halt's Maul, du Wichser")

    assert (score, threshold, name) == (1.0, 0.5, "word-list")
    assert "moderation.detector_fallback using the offensive word list" in caplog.text


def test_a_trained_model_in_the_data_directory_is_used() -> None:
    data = read_germeval(Path(__file__).parent / "data/germeval2018/germeval2018.training.txt")
    joblib.dump(
        train(data.texts, data.labels), Path(settings.DATA_DIR) / "moderation-offense.joblib"
    )
    try:
        screening.reset_detector()
        rude, _threshold, name = screening.offense_score("Halt die Fresse, du Vollidiot")
        kind, _threshold, _name = screening.offense_score("Danke für die schnelle Hilfe!")
    finally:
        (Path(settings.DATA_DIR) / "moderation-offense.joblib").unlink()

    assert name == "offense-model"
    assert rude > kind


def test_a_model_of_an_older_version_is_not_loaded(caplog: pytest.LogCaptureFixture) -> None:
    data = read_germeval(Path(__file__).parent / "data/germeval2018/germeval2018.training.txt")
    model = train(data.texts, data.labels)
    model.version = 2  # as unpickled from a file the previous detector wrote
    joblib.dump(model, Path(settings.DATA_DIR) / "moderation-offense.joblib")
    try:
        screening.reset_detector()
        with caplog.at_level(logging.WARNING, logger="schwarmdesk.moderation"):
            _score, _threshold, name = screening.offense_score("Halt die Fresse, du Vollidiot")
    finally:
        (Path(settings.DATA_DIR) / "moderation-offense.joblib").unlink()

    assert name == "word-list"
    assert "an older model version (train it again)" in caplog.text
