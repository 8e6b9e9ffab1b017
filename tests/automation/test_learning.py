"""The learning loop: topic models retrained and versioned (activate, roll back), knowledge
candidates from solved conversations published in one click, the bot dashboard."""

from __future__ import annotations

import csv
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from pytest_django import Settings as SettingsWrapper

from schwarmdesk.automation.actions import (
    MIN_TOPIC_LABELS,
    RETRAIN_EVERY,
    activate_model_version,
    collect_knowledge_candidate,
    retrain_topic_model,
    rollback_model,
)
from schwarmdesk.automation.models import (
    BotAttempt,
    CandidateStatus,
    Feedback,
    KnowledgeCandidate,
    ModelVersion,
    Triage,
)
from schwarmdesk.automation.queries import daily_bot_stats
from schwarmdesk.channels.actions import reply
from schwarmdesk.conversations.actions import set_status, set_tags, start_conversation
from schwarmdesk.conversations.models import Conversation, Direction, Status
from schwarmdesk.core.errors import Invalid
from schwarmdesk.knowledge.actions import create_article
from schwarmdesk.knowledge.models import Article, Category
from schwarmdesk.people.actions import create_agent
from schwarmdesk.people.models import Agent, Customer, Team
from tests.automation.conftest import Receive

BILLING = [
    "Meine Rechnung ist zu hoch",
    "Rechnung doppelt abgebucht",
    "Wo finde ich meine Rechnung",
    "Falscher Betrag auf der Rechnung",
    "Rechnungsadresse ändern",
    "Invoice amount is wrong",
    "I was charged twice",
    "Where is my invoice",
    "Lastschrift zurückgegeben",
    "Zahlung per Überweisung",
    "Gutschrift fehlt auf der Rechnung",
    "Mahnung erhalten obwohl bezahlt",
]
ROUTER = [
    "Router blinkt rot",
    "WLAN bricht ständig ab",
    "Kein Internet über den Router",
    "Router neu starten wie",
    "WLAN Passwort vergessen",
    "Router lights are red",
    "Wifi keeps dropping",
    "No internet from my router",
    "Internet sehr langsam",
    "Router Firmware Update",
    "Port freigeben am Router",
    "DSL Verbindung bricht ab",
]


def label_conversations(customer: Customer, count: int, offset: int = 0) -> None:
    for index in range(offset, offset + count):
        texts, tag = (BILLING, "rechnung") if index % 2 == 0 else (ROUTER, "router")
        conversation = start_conversation(
            None, customer=customer, origin_channel="email", subject=texts[index // 2 % 12]
        )
        set_tags(None, conversation, tags=[tag])


def test_no_model_before_enough_labels(carol: Customer) -> None:
    label_conversations(carol, MIN_TOPIC_LABELS - 1)

    assert retrain_topic_model(None) is None
    assert ModelVersion.objects.count() == 0


def test_retrain_activate_and_roll_back(carol: Customer, receive_message: Receive) -> None:
    # Given: enough labelled conversations
    label_conversations(carol, MIN_TOPIC_LABELS)

    # When: the periodic task retrains
    first = retrain_topic_model(None)

    # Then: version 1 is stored under DATA_DIR/models/ and active, and triage uses it
    assert first is not None
    assert (first.number, first.is_active, first.label_count) == (1, True, MIN_TOPIC_LABELS)
    assert first.classes == ["rechnung", "router"]
    assert "/models/topic-v1." in first.path
    message = receive_message("Mein Router blinkt rot und das WLAN bricht ab")
    triage = Triage.objects.get(message=message)
    assert (triage.topic, triage.topic_source) == ("router", "model")
    assert triage.model_versions == {"topic": "topic-v1"}
    assert 0.5 < triage.topic_confidence <= 1.0

    # When: a few new labels arrive, nothing is retrained; enough new ones make version 2
    label_conversations(carol, RETRAIN_EVERY - 2, offset=MIN_TOPIC_LABELS)
    assert retrain_topic_model(None) is None
    label_conversations(carol, 2, offset=100)
    second = retrain_topic_model(None)
    assert second is not None
    assert (second.number, second.is_active) == (2, True)
    first.refresh_from_db()
    assert not first.is_active

    # When: the admin rolls back
    rolled = rollback_model(None, "topic")

    # Then: version 1 is active again, and triage says so
    assert rolled == first
    assert list(ModelVersion.objects.filter(is_active=True)) == [first]
    again = receive_message("Rechnung doppelt abgebucht", sender="6002")
    assert Triage.objects.get(message=again).model_versions == {"topic": "topic-v1"}

    # There is nothing before version 1
    with pytest.raises(Invalid):
        rollback_model(None, "topic")

    # Activating version 2 again
    activate_model_version(None, second.pk)
    assert list(ModelVersion.objects.filter(is_active=True)) == [second]


def test_admin_actions_activate_and_roll_back(client: Client, carol: Customer) -> None:
    label_conversations(carol, MIN_TOPIC_LABELS)
    first = retrain_topic_model(None)
    second = retrain_topic_model(None, force=True)
    assert first is not None and second is not None
    admin = User.objects.create_superuser("root", "root@example.com", "root-password")
    client.force_login(admin)
    url = "/admin/automation/modelversion/"

    response = client.post(url, {"action": "roll_back", "_selected_action": [second.pk]})
    assert response.status_code == 302
    assert ModelVersion.objects.get(is_active=True) == first

    client.post(url, {"action": "activate", "_selected_action": [second.pk]})
    assert ModelVersion.objects.get(is_active=True) == second


def test_broken_model_file_gives_no_topic_rather_than_an_error(
    carol: Customer, receive_message: Receive
) -> None:
    label_conversations(carol, MIN_TOPIC_LABELS)
    version = retrain_topic_model(None)
    assert version is not None
    ModelVersion.objects.filter(pk=version.pk).update(path="/nonexistent/topic.pickle")

    message = receive_message("Router blinkt rot")

    triage = Triage.objects.get(message=message)
    assert (triage.topic, triage.model_versions) == ("", {})


# Knowledge candidates ---------------------------------------------------------------------------


@pytest.fixture
def solved(
    receive_message: Receive,
    alice: Agent,
    travel_team: Team,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> Conversation:
    """A travel-team conversation Alice answered and solved."""
    message = receive_message("Wie bekomme ich eine Erstattung für einen ausgefallenen Zug?")
    Conversation.objects.filter(pk=message.conversation_id).update(team=travel_team)
    reply(alice, message.conversation_id, body="Erst eine Notiz.", visibility="internal")
    reply(
        alice,
        message.conversation_id,
        body="Das Fahrgastrechte-Formular finden Sie unter Mein Konto > Erstattungen.",
        visibility="private",
    )
    conversation = Conversation.objects.get(pk=message.conversation_id)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        set_status(alice.user, conversation, status=Status.SOLVED)
    return conversation


@pytest.fixture
def help_category(alice: Agent) -> Category:
    from schwarmdesk.knowledge.actions import create_category

    return create_category(alice.user, name="Reisen", name_en="Travel", slug="reisen")


def test_solving_a_conversation_makes_a_knowledge_candidate(solved: Conversation) -> None:
    candidate = KnowledgeCandidate.objects.get(conversation=solved)

    assert candidate.question_text == "Wie bekomme ich eine Erstattung für einen ausgefallenen Zug?"
    assert candidate.answer_text.startswith("Das Fahrgastrechte-Formular")  # not the note
    assert candidate.solved_by is not None and candidate.solved_by.initials == "AA"
    assert candidate.status == CandidateStatus.OPEN
    assert candidate.language == "de"
    # solving it again changes nothing
    assert collect_knowledge_candidate(solved.pk) == candidate
    assert KnowledgeCandidate.objects.count() == 1


def test_no_candidate_without_an_agent_answer(
    carol: Customer, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    conversation = start_conversation(None, customer=carol, origin_channel="email")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        set_status(None, conversation, status=Status.SOLVED)

    assert KnowledgeCandidate.objects.count() == 0


def test_publish_a_candidate_in_one_click_linked_to_its_english_variant(
    client: Client, solved: Conversation, alice: Agent, help_category: Category
) -> None:
    # Given: the English article on the same topic
    english = create_article(
        alice.user,
        category=help_category,
        language="en",
        title="Refund for a cancelled train",
        body="Use the passenger rights form.",
        publish=True,
    )
    candidate = KnowledgeCandidate.objects.get(conversation=solved)
    client.force_login(alice.user)

    # When
    page = client.get("/automation/candidates/")
    response = client.post(
        f"/automation/candidates/{candidate.pk}/publish/",
        {"category": help_category.pk, "translation_of": english.pk},
    )

    # Then
    assert page.status_code == 200
    assert "Wie bekomme ich eine Erstattung" in page.content.decode()
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.PUBLISHED
    article = candidate.article
    assert article is not None
    assert (article.language, article.status) == ("de", "published")
    assert article.body.startswith("Das Fahrgastrechte-Formular")
    assert article.translation_group == english.translation_group


def test_bot_dashboard_counts_per_day(receive_message: Receive, help_article: Article) -> None:
    answered = receive_message("Wie ändere ich meine Rechnungsadresse?", sender="4001")
    receive_message("Etwas ganz anderes", sender="4002")
    BotAttempt.objects.filter(message=answered).update(feedback=Feedback.SOLVED)

    today = daily_bot_stats(30)[-1]

    assert (today.attempts, today.answered, today.solved, today.person) == (2, 1, 1, 0)
    assert today.answer_rate == 0.5
    assert today.helpfulness == 1.0
    assert len(daily_bot_stats(30)) == 30


# Permission matrix ------------------------------------------------------------------------------


@pytest.fixture
def users(alice: Agent, bob: Agent, carol: Customer) -> dict[str, User | None]:
    customer = User.objects.create_user(username="carol", password="carol-password")
    Customer.objects.filter(pk=carol.pk).update(user=customer)
    admin = create_agent(
        None,
        username="root",
        password="root-password",
        display_name="Root Admin",
        initials="RA",
        is_admin=True,
    )
    return {
        "anonymous": None,
        "customer": customer,
        "agent outside the team": bob.user,
        "agent inside the team": alice.user,
        "admin": admin.user,
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", (302, 302, 302)),
        ("customer", (404, 404, 404)),
        ("agent outside the team", (200, 404, 404)),
        ("agent inside the team", (200, 302, 404)),
        ("admin", (200, 302, 200)),
    ],
)
@pytest.mark.usefixtures("help_category")
def test_permission_matrix(
    client: Client,
    users: dict[str, User | None],
    solved: Conversation,
    who: str,
    expected: tuple[int, int, int],
) -> None:
    """Status codes of the candidate list, publishing a candidate and the bot dashboard."""
    candidates, publish, dashboard = expected
    if (user := users[who]) is not None:
        client.force_login(user)
    candidate = KnowledgeCandidate.objects.get(conversation=solved)

    listing = client.get("/automation/candidates/")
    published = client.post(
        f"/automation/candidates/{candidate.pk}/publish/", {"category": Category.objects.get().pk}
    )

    assert listing.status_code == candidates
    assert (candidate.title in listing.content.decode()) == (
        who in ("agent inside the team", "admin")
    )
    assert published.status_code == publish
    assert client.get("/automation/dashboard/").status_code == dashboard
    if publish != 302 or who == "anonymous":  # denied: nothing changed
        assert Article.objects.count() == 0
        assert KnowledgeCandidate.objects.get().status == CandidateStatus.OPEN
    assert (
        Conversation.objects.get(pk=solved.pk).messages.filter(direction=Direction.OUTBOUND).count()
        == 2
    )


NEGATIVE = [
    "Der Service ist furchtbar, nie wieder",
    "Schlechteste Erfahrung überhaupt",
    "Ich bin total enttäuscht vom Kundendienst",
    "Der Zug war schon wieder verspätet, schlimm",
    "Miserable Verbindung und keiner hilft",
    "This is awful, nothing works",
    "Very disappointed with your support",
    "The worst service I have ever had",
    "Schon wieder ausgefallen, ärgerlich",
    "Keiner antwortet, das ist schlimm",
]
POSITIVE = [
    "Vielen Dank, super Service",
    "Toll, alles hat geklappt",
    "Sehr freundlicher Kundendienst, danke",
    "Der Zug war pünktlich, prima",
    "Great support, thank you",
    "Everything works perfectly now",
    "Thanks a lot, very helpful",
    "Klasse, schnelle Hilfe bekommen",
    "Wunderbar, das Problem ist gelöst",
    "Super zufrieden mit der Beratung",
]


def test_train_sentiment_command_activates_a_version_used_by_triage(
    tmp_path: Path, receive_message: Receive, help_article: Article, settings: SettingsWrapper
) -> None:
    # Given: the company's labelled texts (no sentence vectors: tests/automation/
    # test_sentiment_model.py covers the stack with them)
    settings.EMBEDDING_MODEL = "none"
    data = tmp_path / "sentiment.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows([(text, "negative") for text in NEGATIVE])
        writer.writerows([(text, "positive") for text in POSITIVE])

    # When
    output = StringIO()
    call_command("train_sentiment", "--train", str(data), stdout=output)

    # Then: version 1 is active and triage uses it; the bot stays out of the negative message
    version = ModelVersion.objects.get(kind="sentiment")
    assert (version.number, version.is_active, version.classes) == (
        1,
        True,
        ["negative", "positive"],
    )
    assert "sentiment-v1 (active; 20 texts" in output.getvalue()
    message = receive_message("Furchtbar, nie wieder! Wie ändere ich meine Rechnungsadresse?")
    triage = Triage.objects.get(message=message)
    assert triage.sentiment == "negative"
    assert triage.sentiment_confidence > 0.5
    assert triage.model_versions["sentiment"] == "sentiment-v1"
    assert BotAttempt.objects.get(message=message).reason == "angry"


def test_train_sentiment_refuses_too_little_data(tmp_path: Path, db: None) -> None:
    data = tmp_path / "tiny.csv"
    data.write_text("text,label\nschlecht,negative\ngut,positive\n", encoding="utf-8")

    with pytest.raises(CommandError, match="at least 20 texts"):
        call_command("train_sentiment", "--train", str(data))
    assert ModelVersion.objects.count() == 0


def test_admin_shows_the_bot_chart(
    client: Client, receive_message: Receive, help_article: Article
) -> None:
    receive_message("Wie ändere ich meine Rechnungsadresse?")
    admin = User.objects.create_superuser("root", "root@example.com", "root-password")
    client.force_login(admin)

    page = client.get("/admin/automation/botattempt/").content.decode()

    assert '<polyline class="chart-rate"' in page
    assert 'href="/automation/dashboard/"' in page
    assert client.get("/automation/dashboard/").status_code == 200


def test_periodic_task_retrains_when_enough_labels_accumulated(carol: Customer) -> None:
    from schwarmdesk.automation.tasks import retrain_topic_model_task

    label_conversations(carol, MIN_TOPIC_LABELS)

    first = retrain_topic_model_task.call_local()
    again = retrain_topic_model_task.call_local()

    assert first == ModelVersion.objects.get(number=1).pk
    assert again is None  # no new labels since
