"""Triage of inbound messages and community questions: stored with the item, with reasons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import time_machine
from django.contrib.auth.models import User
from django.test import Client

from schwarmdesk.automation.actions import triage_message
from schwarmdesk.automation.models import Complexity, Sentiment, Triage
from schwarmdesk.automation.triage import assess_urgency
from schwarmdesk.community.actions import create_category, post_question
from schwarmdesk.conversations.models import Conversation, Priority
from schwarmdesk.knowledge.models import Article
from schwarmdesk.people.models import Agent, Customer
from tests.automation.conftest import Receive


def codes(triage: Triage) -> list[str]:
    return [reason["code"] for reason in triage.urgency_reasons]


def test_german_outage_message_is_urgent_with_the_matched_words(
    receive_message: Receive,
) -> None:
    # Given / When: a German complaint about an outage arrives
    message = receive_message(
        "Seit heute Morgen kein Internet, der Router funktioniert nicht. Bitte helfen Sie mir.",
        language="de",
    )

    # Then: its triage is stored with the message, urgent for the outage words, in German
    triage = Triage.objects.get(message=message)
    assert triage.conversation_id == message.conversation_id
    assert triage.language == "de"
    assert triage.urgency == Priority.HIGH
    assert triage.urgency_reasons == [
        {"code": "outage", "detail": "funktioniert nicht, kein internet"}
    ]
    assert triage.sentiment == Sentiment.UNKNOWN  # no sentiment model: never a made-up value
    assert triage.sentiment_confidence == 0.0
    assert triage.complexity == Complexity.AGENT
    assert triage.complexity_reasons == [{"code": "no_knowledge_match", "detail": "0 %"}]


def test_english_legal_threat_needs_a_specialist(receive_message: Receive) -> None:
    message = receive_message(
        "Your service has been down for days. My lawyer will take legal action.",
        language="en",
    )

    triage = Triage.objects.get(message=message)
    assert triage.language == "en"
    assert triage.urgency == Priority.HIGH
    assert codes(triage) == ["outage", "legal"]
    assert triage.urgency_reasons[1] == {"code": "legal", "detail": "lawyer, legal action"}
    assert triage.complexity == Complexity.SPECIALIST
    assert triage.complexity_reasons == [{"code": "specialist_topic", "detail": "legal"}]


def test_safety_risk_is_most_urgent(receive_message: Receive) -> None:
    message = receive_message("Aus dem Router kommt Rauch!", language="de")

    triage = Triage.objects.get(message=message)
    assert triage.urgency == Priority.URGENT
    assert codes(triage) == ["safety"]
    assert triage.complexity == Complexity.SPECIALIST


def test_third_message_within_a_day_is_repeated_contact(receive_message: Receive) -> None:
    # Given: two messages of the same customer earlier today
    with time_machine.travel(datetime(2026, 11, 23, 8, 0, tzinfo=UTC), tick=False):
        first = receive_message("Meine Rechnung ist falsch.", sender="7001")
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=UTC), tick=False):
        second = receive_message("Haben Sie meine Nachricht gelesen?", sender="7001")

    # When: the third arrives within 24 hours
    with time_machine.travel(datetime(2026, 11, 23, 12, 0, tzinfo=UTC), tick=False):
        third = receive_message("Ich warte immer noch auf eine Antwort.", sender="7001")

    # Then: only the third is repeated contact, naming the number of earlier messages
    assert codes(Triage.objects.get(message=first)) == []
    assert codes(Triage.objects.get(message=second)) == []
    triage = Triage.objects.get(message=third)
    assert triage.urgency_reasons == [{"code": "repeated_contact", "detail": "2"}]
    assert triage.urgency == Priority.HIGH


def test_messages_older_than_the_window_are_not_repeated_contact(receive_message: Receive) -> None:
    start = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    for hours in (0, 1):
        with time_machine.travel(start + timedelta(hours=hours), tick=False):
            receive_message("Meine Rechnung ist falsch.", sender="7002")
    with time_machine.travel(start + timedelta(days=2), tick=False):
        later = receive_message("Noch eine Frage zur Rechnung.", sender="7002")

    assert codes(Triage.objects.get(message=later)) == []


def test_vip_customer_is_high_priority(receive_message: Receive) -> None:
    # Given: the customer behind the sender is a VIP
    message = receive_message("Hallo, eine kurze Frage zum Tarif.", sender="7003")
    Customer.objects.filter(pk=message.conversation.customer_id).update(is_vip=True)

    # When: the next message arrives
    again = receive_message("Und noch eine Frage zum Vertrag.", sender="7003")

    # Then
    triage = Triage.objects.get(message=again)
    assert triage.urgency == Priority.HIGH
    assert triage.urgency_reasons == [{"code": "vip", "detail": ""}]


def test_topic_comes_from_the_nearest_help_article_before_a_model_exists(
    receive_message: Receive, help_article: Article
) -> None:
    message = receive_message("Wie ändere ich meine Rechnungsadresse?")

    triage = Triage.objects.get(message=message)
    assert triage.topic == "Rechnung & Zahlung"
    assert triage.topic_source == "knowledge"
    assert triage.topic_confidence == 1.0
    assert triage.model_versions == {"topic": "knowledge-search"}
    assert triage.complexity == Complexity.KNOWLEDGE_BASE
    # the conversation had no language yet: the triage's is kept on it
    assert Conversation.objects.get(pk=message.conversation_id).language == "de"


def test_triage_is_idempotent(receive_message: Receive) -> None:
    message = receive_message("Meine Rechnung ist falsch.")

    triage_message(None, message.pk)

    assert Triage.objects.filter(message=message).count() == 1


def test_bad_input_gets_a_clear_result(receive_message: Receive) -> None:
    # A 1 MB message, a language the system does not know, a text of only emoji
    huge = receive_message("Störung " + "a" * (1024 * 1024))
    foreign = receive_message("Il mio router non funziona da ieri sera, cosa posso fare?")
    emoji = receive_message("👍👍")

    huge_triage = Triage.objects.get(message=huge)
    assert huge_triage.urgency == Priority.HIGH
    assert huge_triage.complexity == Complexity.AGENT
    assert huge_triage.complexity_reasons == [{"code": "long_text", "detail": str(1024 * 1024 + 8)}]
    assert Triage.objects.get(message=foreign).sentiment == Sentiment.UNKNOWN
    emoji_triage = Triage.objects.get(message=emoji)
    assert emoji_triage.language == ""
    assert emoji_triage.topic == ""


def test_empty_text_has_no_urgency() -> None:
    urgency = assess_urgency("")

    assert urgency.level == Priority.NORMAL
    assert urgency.reasons == []


def test_download_is_not_an_outage() -> None:
    assert assess_urgency("Wo finde ich den Download der Rechnung?").reasons == []


def test_community_question_is_triaged(carol: Customer, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    # Given: Carol's community account and a category
    user = User.objects.create_user(username="carol", password="carol-password")
    Customer.objects.filter(pk=carol.pk).update(user=user, is_vip=True)
    category = create_category(None, name="Internet", name_en="Internet", slug="internet")

    # When: she asks in the community
    with django_capture_on_commit_callbacks(execute=True):
        question = post_question(
            user,
            category=category,
            title="Totalausfall seit gestern Abend",
            body="Bei uns ist seit gestern kein Internet, ich kündige sonst!",
        )

    # Then: the triage is stored with the question
    triage = Triage.objects.get(question=question)
    assert triage.language == "de"
    assert triage.urgency == Priority.HIGH
    assert codes(triage) == ["outage", "churn", "vip"]


def test_a_burst_of_outage_reports_is_most_urgent(receive_message: Receive) -> None:
    # Given: five outage reports from different customers in the last hour
    for number in range(5):
        receive_message("Kein Internet seit einer Stunde.", sender=f"30{number}")

    # When: the sixth arrives
    sixth = receive_message("Bei mir auch kein Internet.", sender="399")

    # Then
    triage = Triage.objects.get(message=sixth)
    assert triage.urgency == Priority.URGENT
    assert triage.urgency_reasons == [
        {"code": "outage", "detail": "kein internet"},
        {"code": "burst", "detail": "5"},
    ]


def test_many_ordinary_questions_are_no_burst(receive_message: Receive) -> None:
    for number in range(6):
        receive_message("Wo finde ich meine Rechnung?", sender=f"31{number}")

    assert Triage.objects.filter(urgency=Priority.NORMAL).count() == 6


def test_agents_see_a_questions_triage_on_the_community_page(
    client: Client,
    carol: Customer,
    alice: Agent,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    user = User.objects.create_user(username="carol", password="carol-password")
    Customer.objects.filter(pk=carol.pk).update(user=user)
    category = create_category(None, name="Internet", name_en="Internet", slug="internet")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        question = post_question(user, category=category, title="Totalausfall seit gestern")

    client.force_login(alice.user)
    as_agent = client.get(question.get_absolute_url(), headers={"accept-language": "de"})
    client.force_login(user)
    as_asker = client.get(question.get_absolute_url(), headers={"accept-language": "de"})

    assert "Störungswörter (totalausfall)" in as_agent.content.decode()
    assert "Störungswörter" not in as_asker.content.decode()


def test_chat_lines_close_together_are_one_contact(receive_message: Receive) -> None:
    start = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    messages = []
    for minute in range(3):
        with time_machine.travel(start + timedelta(minutes=minute), tick=False):
            messages.append(
                receive_message(f"Zeile {minute} meiner Frage zum Tarif", sender="7010")
            )

    assert [codes(Triage.objects.get(message=message)) for message in messages] == [[], [], []]
