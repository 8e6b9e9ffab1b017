"""Community fixtures: Carol and Dave with community accounts, a category, Carol's German
question and a published help article about the same topic, written by Alice."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from schwarmdesk.community.actions import create_category, post_question
from schwarmdesk.community.models import Category, Question
from schwarmdesk.knowledge.actions import create_article
from schwarmdesk.knowledge.actions import create_category as create_help_category
from schwarmdesk.knowledge.models import Article
from schwarmdesk.people.models import Agent, Customer

# The browser fixtures live in tests/web/conftest.py; the browser test here uses them too.
from tests.web.conftest import (  # noqa: F401
    browser,
    browser_context,
    page,
    page_problems,
    playwright,
)


def community_account(customer: Customer, username: str) -> User:
    user = User.objects.create_user(username=username, password=f"{username}-password")
    Customer.objects.filter(pk=customer.pk).update(user=user)
    user.refresh_from_db()
    return user


@pytest.fixture
def carol_user(carol: Customer) -> User:
    """Carol's community account: logged in, but not an agent."""
    return community_account(carol, "carol")


@pytest.fixture
def dave_user(dave: Customer) -> User:
    return community_account(dave, "dave")


@pytest.fixture
def billing(db: None) -> Category:
    return create_category(
        None,
        name="Rechnung & Zahlung",
        name_en="Billing & payment",
        slug="rechnung-zahlung",
        description="Fragen zu Rechnungen und Zahlungsarten.",
    )


@pytest.fixture
def router(db: None) -> Category:
    return create_category(
        None, name="Internet & Router", name_en="Internet & router", slug="router"
    )


@pytest.fixture
def question(carol_user: User, billing: Category) -> Question:
    return post_question(
        carol_user,
        category=billing,
        title="Wie kann ich meine Rechnungsadresse ändern?",
        body="Ich bin umgezogen. Wo ändere ich die **Adresse** für die Rechnung?",
        tags=["rechnung", "umzug"],
    )


@pytest.fixture
def help_article(alice: Agent) -> Article:
    category = create_help_category(
        alice.user, name="Rechnung & Zahlung", name_en="Billing & payment", slug="rechnung"
    )
    return create_article(
        alice.user,
        category=category,
        language="de",
        title="Rechnungsadresse ändern",
        body="Ihre Rechnungsadresse ändern Sie im Kundenportal **Mein Nordlicht**.",
        publish=True,
    )
