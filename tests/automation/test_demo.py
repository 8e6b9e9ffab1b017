"""The issue's demo scenario on the loaded demo data: the bot answers the billing-address
question with its source; an angry outage complaint goes to Technik & Tarife at high priority,
its reasons shown on the admin conversation page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client

from schwarmdesk.automation.models import BotAttempt, RoutingRule, Triage
from schwarmdesk.community.actions import post_question
from schwarmdesk.community.models import Answer
from schwarmdesk.community.models import Category as CommunityCategory
from schwarmdesk.conversations.models import Conversation, Priority
from schwarmdesk.demo.loader import load_demo
from schwarmdesk.people.actions import create_customer
from tests.automation.conftest import Receive

NOW = datetime(2025, 1, 17, 11, 0, tzinfo=UTC)


@pytest.fixture
def demo(db: None) -> None:
    load_demo(now=NOW)


@pytest.mark.usefixtures("demo")
def test_demo_routing_rules_are_loaded() -> None:
    assert RoutingRule.objects.count() == 4
    assert load_demo(now=NOW).created is False  # loading again changes nothing
    assert RoutingRule.objects.count() == 4


@pytest.mark.usefixtures("demo")
def test_billing_address_question_gets_a_bot_answer_with_its_source(
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    user = User.objects.create_user(username="neukundin", password="neukundin-password")
    customer = create_customer(None, display_name="Neue Kundin")
    customer.user = user
    customer.save(update_fields=["user"])
    category = CommunityCategory.objects.get(slug="rechnung-vertrag")

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        question = post_question(
            user, category=category, title="Wie ändere ich meine Rechnungsadresse?"
        )

    attempt = BotAttempt.objects.get(question=question)
    assert attempt.is_answered, attempt.reason
    assert attempt.source_title == "Rechnungsadresse ändern"
    answer = Answer.objects.get(question=question)
    assert "Quelle: [Rechnungsadresse ändern](/help/de/" in answer.body


@pytest.mark.usefixtures("demo")
def test_angry_outage_complaint_is_routed_to_the_tech_team_at_high_priority(
    client: Client, receive_message: Receive
) -> None:
    message = receive_message(
        "Das ist eine Frechheit! Seit gestern Abend kein Internet, der Router funktioniert "
        "nicht. Ich kündige, wenn das so weitergeht!",
        sender="demo-angry-1",
    )

    conversation = Conversation.objects.get(pk=message.conversation_id)
    assert conversation.team is not None and conversation.team.slug == "tech"
    assert conversation.priority == Priority.HIGH
    assert conversation.assignee is not None
    assert conversation.assignee.user.username == "sophie"  # the agent with the outages skill
    triage = Triage.objects.get(message=message)
    assert [reason["code"] for reason in triage.urgency_reasons] == ["outage", "churn", "angry"]
    assert BotAttempt.objects.get(message=message).reason == "angry"

    admin = User.objects.create_superuser("root", "root@example.com", "root-password")
    client.force_login(admin)
    page = client.get(
        f"/admin/conversations/conversation/{conversation.pk}/change/",
        headers={"accept-language": "de"},
    ).content.decode()
    assert "Störungswörter (funktioniert nicht, kein internet)" in page
    assert "Kündigungsdrohung" in page
    assert "Störungen an Technik (hohe Priorität)" in page
