"""Help-center fixtures: a category, Carol's community account (a user without an agent
profile) and a published German article with its English translation, written by Alice."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from schwarmdesk.knowledge.actions import create_article, create_category
from schwarmdesk.knowledge.models import Article, Category
from schwarmdesk.people.models import Agent, Customer

# The browser fixtures live in tests/web/conftest.py; the browser test here uses them too.
from tests.web.conftest import (  # noqa: F401
    browser,
    browser_context,
    page,
    page_problems,
    playwright,
)

GERMAN_BODY = """\
Ihre Rechnungsadresse ändern Sie im Kundenportal **Mein Nordlicht**.

## So geht es

1. Anmelden.
2. *Persönliche Daten* öffnen.
"""
ENGLISH_BODY = """\
You change your billing address in the **Mein Nordlicht** customer portal.
"""


@pytest.fixture
def billing(alice: Agent) -> Category:
    return create_category(
        alice.user,
        name="Rechnung & Zahlung",
        name_en="Billing & payment",
        slug="rechnung-zahlung",
        description="Rechnungen und Zahlungsarten.",
        description_en="Bills and payment methods.",
        position=1,
    )


@pytest.fixture
def carol_user(carol: Customer) -> User:
    """Carol's community account: logged in, but not an agent."""
    user = User.objects.create_user(username="carol", password="carol-password")
    Customer.objects.filter(pk=carol.pk).update(user=user)
    return user


@pytest.fixture
def german_article(alice: Agent, billing: Category) -> Article:
    return create_article(
        alice.user,
        category=billing,
        language="de",
        title="Rechnungsadresse ändern",
        body=GERMAN_BODY,
        publish=True,
    )


@pytest.fixture
def english_article(alice: Agent, billing: Category, german_article: Article) -> Article:
    return create_article(
        alice.user,
        category=billing,
        language="en",
        title="Change your billing address",
        body=ENGLISH_BODY,
        translation_of=german_article,
        publish=True,
    )


@pytest.fixture
def draft_article(bob: Agent, billing: Category) -> Article:
    return create_article(
        bob.user,
        category=billing,
        language="de",
        title="Neue Tarife ab März",
        body="Ab März gibt es **Flex XL**.",
    )
