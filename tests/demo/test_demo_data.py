"""The demo data set: exact counts, every channel, consistent people, idempotent loading."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import override_settings
from pytest_django import DjangoCaptureOnCommitCallbacks as CaptureCallbacks

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.community.models import Answer, Comment, Question, Vote
from schwarmdesk.community.queries import suggest
from schwarmdesk.conversations.models import Conversation, Direction, Message, Tag, Visibility
from schwarmdesk.core.errors import Invalid
from schwarmdesk.demo.loader import DEMO_LOGINS, DemoSummary, load_demo
from schwarmdesk.knowledge.models import Article, ArticleFeedback, Category
from schwarmdesk.people.models import Agent, ChannelIdentity, Customer, Skill, Team
from schwarmdesk.search.models import SearchDocument
from schwarmdesk.search.queries import search

# A Friday noon in winter, so "days ago at 08:14" is plain CET arithmetic.
NOW = datetime(2025, 1, 17, 11, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")
SIGNED_CHANNELS = {ChannelKind.X, ChannelKind.FACEBOOK, ChannelKind.MASTODON}

FULL_LOAD = DemoSummary(
    created=True,
    teams=2,
    agents=5,
    customers=20,
    identities=37,
    conversations=30,
    messages=118,
    categories=6,
    articles=16,
    questions=12,
    answers=9,
)


@pytest.fixture
def demo(db: None) -> DemoSummary:
    return load_demo(now=NOW)


def database_counts() -> dict[str, int]:
    return {
        "teams": Team.objects.count(),
        "agents": Agent.objects.count(),
        "users": User.objects.count(),
        "skills": Skill.objects.count(),
        "customers": Customer.objects.count(),
        "identities": ChannelIdentity.objects.count(),
        "conversations": Conversation.objects.count(),
        "messages": Message.objects.count(),
        "tags": Tag.objects.count(),
        "categories": Category.objects.count(),
        "articles": Article.objects.count(),
        "article_feedback": ArticleFeedback.objects.count(),
    }


def is_example_address(address: str) -> bool:
    domain = address.rsplit("@", 1)[-1].lower()
    return any(domain == name or domain.endswith(f".{name}") for name in EXAMPLE_DOMAINS)


def test_loading_creates_the_whole_data_set(demo: DemoSummary) -> None:
    assert demo == FULL_LOAD
    assert database_counts() == {
        "teams": 2,
        "agents": 5,
        "users": 13,
        "skills": 17,
        "customers": 20,
        "identities": 37,
        "conversations": 30,
        "messages": 118,
        "tags": 43,
        "categories": 6,
        "articles": 16,
        "article_feedback": 49,
    }
    assert str(demo) == (
        "Demo data loaded: 2 teams, 5 agents, 20 customers (37 channel identities), "
        "30 conversations, 118 messages, 16 help articles in 6 categories, "
        "12 community questions with 9 answers."
    )


def test_help_articles_are_published_in_german_and_english_pairs(demo: DemoSummary) -> None:
    articles = Article.objects.all()
    assert Counter(articles.values_list("language", flat=True)) == {"de": 10, "en": 6}
    assert set(articles.values_list("status", flat=True)) == {"published"}
    groups = Counter(articles.values_list("translation_group", flat=True))
    assert sorted(groups.values()) == [1] * 6 + [2] * 5
    german = Article.objects.get(title="Rechnungsadresse ändern")
    english = Article.objects.get(translation_group=german.translation_group, language="en")
    assert (english.title, english.get_absolute_url()) == (
        "Change your billing address",
        "/help/en/change-your-billing-address/",
    )
    assert (german.author.display_name if german.author else "") == "Jonas Petersen"
    assert (german.helpful_yes, german.helpful_no) == (4, 1)
    assert list(Category.objects.values_list("slug", flat=True)) == [
        "rechnung-zahlung",
        "internet-router",
        "mobilfunk-roaming",
        "bahn-tickets",
        "app-konto",
        "vertrag-umzug",
    ]


def test_a_german_query_finds_the_english_roaming_article(demo: DemoSummary) -> None:
    hits = search(None, "Roaming im Ausland", kinds=("article",), limit=3)
    assert (hits[0].title, hits[0].language, hits[0].url) == (
        "Roaming in the EU",
        "en",
        "/help/en/roaming-in-the-eu/",
    )
    german = search(None, "Rechnungsadresse ändern", kinds=("article",), limit=1)
    assert [(hit.title, hit.language) for hit in german] == [("Rechnungsadresse ändern", "de")]


def test_every_channel_except_community_and_phone_starts_conversations(demo: DemoSummary) -> None:
    origins = Counter(Conversation.objects.values_list("origin_channel", flat=True))
    assert origins == {
        ChannelKind.EMAIL: 9,
        ChannelKind.WEB_FORM: 4,
        ChannelKind.WEB_CHAT: 4,
        ChannelKind.X: 4,
        ChannelKind.FACEBOOK: 3,
        ChannelKind.MASTODON: 3,
        ChannelKind.TELEGRAM: 3,
    }
    assert set(origins) == set(ChannelKind.values) - {ChannelKind.COMMUNITY, ChannelKind.PHONE}


def test_conversations_are_in_german_and_english(demo: DemoSummary) -> None:
    assert Counter(Conversation.objects.values_list("language", flat=True)) == {"de": 20, "en": 10}
    assert Counter(Customer.objects.values_list("language", flat=True)) == {"de": 14, "en": 6}


def test_statuses_priorities_and_routing_vary(demo: DemoSummary) -> None:
    conversations = Conversation.objects.all()
    assert Counter(conversations.values_list("status", flat=True)) == {
        "open": 4,
        "pending": 6,
        "solved": 14,
        "closed": 6,
    }
    assert Counter(conversations.values_list("priority", flat=True)) == {1: 7, 2: 14, 3: 8, 4: 1}
    assert Counter(conversations.values_list("team__slug", flat=True)) == {
        "travel": 11,
        "tech": 18,
        None: 1,
    }
    assert conversations.filter(assignee__isnull=True).count() == 2
    assert Customer.objects.filter(is_vip=True).count() == 3


def test_many_customers_have_identities_on_several_channels(demo: DemoSummary) -> None:
    channel_counts = Customer.objects.annotate(
        channels=Count("identities__kind", distinct=True)
    ).values_list("display_name", "channels")
    several = sorted(name for name, channels in channel_counts if channels >= 2)
    assert len(several) == 15
    assert "Finn Hoffmann" in several
    assert Customer.objects.get(display_name="Finn Hoffmann").identities.count() == 3
    assert ChannelIdentity.objects.filter(is_verified=True).count() == 6


def test_every_conversation_customer_is_reachable_on_its_channel(demo: DemoSummary) -> None:
    for conversation in Conversation.objects.select_related("customer"):
        kinds = set(conversation.customer.identities.values_list("kind", flat=True))
        needed = (
            ChannelKind.EMAIL
            if conversation.origin_channel == ChannelKind.WEB_FORM
            else conversation.origin_channel
        )
        assert needed in kinds, conversation.subject


def test_agents_have_unique_initials_and_a_team(demo: DemoSummary) -> None:
    agents = Agent.objects.select_related("user").prefetch_related("teams")
    assert sorted(agent.initials for agent in agents) == ["JP", "LK", "MA", "OH", "SB"]
    assert {agent.user.username: sorted(t.slug for t in agent.teams.all()) for agent in agents} == {
        "lena": ["tech", "travel"],
        "mehmet": ["travel"],
        "sophie": ["tech"],
        "jonas": ["tech"],
        "ole": ["tech"],
    }
    assert list(User.objects.filter(is_superuser=True).values_list("username", flat=True)) == [
        "lena"
    ]
    assert User.objects.filter(is_staff=True).count() == 5


def test_internal_notes_are_written_by_agents_and_never_sent(demo: DemoSummary) -> None:
    notes = Message.objects.filter(visibility=Visibility.INTERNAL)
    assert notes.count() == 13
    assert notes.filter(direction=Direction.OUTBOUND, author_agent__isnull=False).count() == 13
    assert notes.exclude(external_id="").count() == 0
    assert notes.filter(sent_at__isnull=False).count() == 0


def test_message_directions_and_visibilities(demo: DemoSummary) -> None:
    shape = Counter(Message.objects.values_list("direction", "visibility"))
    assert shape == {
        ("in", "public"): 56,
        ("in", "private"): 7,
        ("out", "public"): 38,
        ("out", "private"): 4,
        ("out", "internal"): 13,
    }
    assert Message.objects.filter(direction="in", author_customer__isnull=True).count() == 0
    assert Message.objects.filter(direction="out", author_agent__isnull=True).count() == 0


def test_social_replies_are_signed_with_the_agents_initials(demo: DemoSummary) -> None:
    replies = Message.objects.filter(
        direction=Direction.OUTBOUND, channel_kind__in=SIGNED_CHANNELS
    ).exclude(visibility=Visibility.INTERNAL)
    assert replies.count() == 15
    for message in replies.select_related("author_agent"):
        assert message.author_agent is not None
        assert message.body_text.endswith(f"^{message.author_agent.initials}")


def test_external_ids_are_set_on_every_channel_message(demo: DemoSummary) -> None:
    sent = Message.objects.exclude(visibility=Visibility.INTERNAL)
    assert sent.filter(external_id="").count() == 0
    assert sent.values("channel_kind", "external_id").distinct().count() == 105
    first_mail = Message.objects.filter(
        conversation__subject="Letzter Zug ausgefallen - Erstattung der Taxikosten"
    ).first()
    assert first_mail is not None
    assert first_mail.external_id.startswith("<")
    assert first_mail.external_id.endswith("@mail.example.com>")
    telegram = sent.filter(conversation__subject="Kein mobiles Internet in Kopenhagen").values_list(
        "external_id", flat=True
    )
    chat_ids = {external_id.split(":")[0] for external_id in telegram}
    numbers = [int(external_id.split(":")[1]) for external_id in telegram]
    assert chat_ids == {"6039912875"}  # Olga's Telegram user id is her chat id
    assert numbers == list(range(numbers[0], numbers[0] + 5))  # numbered per chat


def test_email_html_is_sanitised(demo: DemoSummary) -> None:
    with_html = Message.objects.exclude(body_html="")
    assert with_html.count() == 4
    assert not with_html.filter(body_html__icontains="<script").exists()
    assert not with_html.filter(body_html__icontains="style=").exists()


def test_all_email_addresses_are_on_example_domains(demo: DemoSummary) -> None:
    addresses = [
        *Customer.objects.exclude(email="").values_list("email", flat=True),
        *ChannelIdentity.objects.filter(kind=ChannelKind.EMAIL).values_list(
            "external_id", flat=True
        ),
        *User.objects.values_list("email", flat=True),
    ]
    assert len(addresses) == 18 + 18 + 13
    assert [address for address in addresses if not is_example_address(address)] == []
    mastodon = ChannelIdentity.objects.filter(kind=ChannelKind.MASTODON)
    assert all(is_example_address(identity.handle) for identity in mastodon)


def test_counters_equal_the_real_message_counts(demo: DemoSummary) -> None:
    for conversation in Conversation.objects.all():
        messages = conversation.messages.all()
        notes = messages.filter(visibility=Visibility.INTERNAL)
        assert conversation.message_count == messages.count()
        assert conversation.inbound_count == messages.filter(direction=Direction.INBOUND).count()
        assert conversation.outbound_count == (
            messages.filter(direction=Direction.OUTBOUND).count() - notes.count()
        )
        assert conversation.note_count == notes.count()
        assert conversation.last_message_at == (
            messages.exclude(visibility=Visibility.INTERNAL).order_by("-created_at")[0].created_at
        )
    assert sum(Conversation.objects.values_list("message_count", flat=True)) == 118


def test_counters_stay_right_when_the_queued_tasks_run(
    db: None, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        load_demo(now=NOW)
    # one counter task per message, run inline (Huey immediate); the search index's embedding
    # wake-ups (conversations and help articles) and the automation's (solved conversations,
    # community questions) come on top and are not counted here
    others = ("_queue_embedding", "_queue_automation")
    counter_tasks = [task for task in callbacks if task.__name__ not in others]
    assert len(counter_tasks) == 118
    conversation = Conversation.objects.get(subject="Router blinkt rot, Homeoffice offline")
    assert (conversation.message_count, conversation.inbound_count) == (6, 3)
    assert (conversation.outbound_count, conversation.note_count) == (2, 1)


def test_timestamps_spread_over_three_weeks_in_order(demo: DemoSummary) -> None:
    conversation = Conversation.objects.get(
        subject="Letzter Zug ausgefallen - Erstattung der Taxikosten"
    )
    opened = datetime(2024, 12, 29, 8, 14, tzinfo=BERLIN)
    assert conversation.created_at == opened
    assert list(conversation.messages.values_list("created_at", flat=True)) == [
        opened,
        opened + timedelta(minutes=95),
        opened + timedelta(minutes=110),
        opened + timedelta(days=4, minutes=130),
    ]
    assert conversation.first_response_at == opened + timedelta(minutes=110)
    assert conversation.solved_at == opened + timedelta(days=4, minutes=150)
    assert conversation.updated_at == opened + timedelta(days=4, minutes=130)
    created = Message.objects.values_list("created_at", flat=True)
    assert min(created) >= NOW - timedelta(days=21)
    assert max(created) <= NOW
    for message in Message.objects.select_related("conversation"):
        assert message.created_at >= message.conversation.created_at
        if message.direction == Direction.INBOUND:
            assert message.received_at == message.created_at
        elif message.visibility != Visibility.INTERNAL:
            assert message.sent_at == message.created_at


def test_case_numbers_grow_with_time(demo: DemoSummary) -> None:
    by_number = Conversation.objects.order_by("pk").values_list("created_at", flat=True)
    assert list(by_number) == sorted(by_number)
    assert Conversation.objects.order_by("pk").first() == Conversation.objects.get(
        subject="Rucksack im Zug vergessen"
    )


def test_a_case_that_would_end_in_the_future_moves_back_a_day(db: None) -> None:
    early_morning = datetime(2025, 1, 17, 6, 0, tzinfo=UTC)  # 07:00 in Kiel
    load_demo(now=early_morning)
    router = Conversation.objects.get(subject="Router blinkt rot, Homeoffice offline")
    assert router.created_at == datetime(2025, 1, 16, 8, 5, tzinfo=BERLIN)
    assert Message.objects.filter(created_at__gt=early_morning).count() == 0


def test_closed_cases_were_solved_first(demo: DemoSummary) -> None:
    closed = Conversation.objects.filter(status="closed")
    assert closed.count() == 6
    assert closed.filter(solved_at__isnull=True).count() == 0
    assert closed.filter(closed_at__isnull=True).count() == 0
    assert (
        Conversation.objects.filter(status__in=["open", "pending"], solved_at__isnull=False).count()
        == 0
    )


def test_a_second_load_changes_nothing(demo: DemoSummary) -> None:
    before = database_counts()
    again = load_demo(now=NOW + timedelta(days=1))
    assert again == DemoSummary(created=False)
    assert str(again) == "Demo data already loaded; nothing changed."
    assert database_counts() == before


def test_every_demo_login_authenticates(demo: DemoSummary) -> None:
    community_role = "Community (Kunde/Kundin)"
    assert [(username, role) for username, _password, role in DEMO_LOGINS] == [
        ("lena", "Admin, Teamleitung Bahn & Reisen"),
        ("mehmet", "Agent, Bahn & Reisen (Social Media)"),
        ("sophie", "Agentin, Technik & Tarife (Netz, Router)"),
        ("jonas", "Agent, Technik & Tarife (Rechnungen, Verträge)"),
        ("ole", "Agent, Technik & Tarife (App, eSIM)"),
        *[
            (key, community_role)
            for key in ("anna", "thomas", "sabine", "kai", "finn", "merve", "emily", "james")
        ],
    ]
    for username, password, role in DEMO_LOGINS:
        user = authenticate(username=username, password=password)
        assert user is not None, username
        assert user.get_username() == username
        if role == community_role:  # customers with a community account, never staff
            assert Customer.objects.filter(user=user).exists()
            assert not user.is_staff
        else:
            assert Agent.objects.filter(user=user).exists()


def test_community_is_lively_in_german_and_english(demo: DemoSummary) -> None:
    questions = Question.objects.all()
    assert Counter(questions.values_list("language", flat=True)) == {"de": 8, "en": 4}
    assert Counter(questions.values_list("status", flat=True)) == {"solved": 6, "open": 6}
    assert questions.filter(accepted_answer__isnull=False).count() == 5
    assert questions.filter(answer_count=0).count() == 5
    assert (Answer.objects.count(), Answer.objects.filter(is_official=True).count()) == (9, 4)
    assert (Comment.objects.count(), Vote.objects.count()) == (4, 29)
    accepted = Answer.objects.filter(pk__in=questions.values("accepted_answer"))
    assert Counter(accepted.values_list("is_official", flat=True)) == {True: 3, False: 2}
    for question in questions:
        assert question.answer_count == question.answers.count()
        assert question.score == sum(question.votes.values_list("value", flat=True))
        assert question.created_at <= question.last_activity_at <= NOW
    assert SearchDocument.objects.filter(kind="question").count() == 12


def test_search_before_ask_finds_the_question_and_the_help_article(demo: DemoSummary) -> None:
    titles = [item.title for item in suggest(None, "Rechnungsadresse ändern")]
    # both back ends put the two on top (their order is the search module's business)
    assert set(titles[:2]) == {
        "Rechnungsadresse nach Umzug ändern - wo geht das?",
        "Rechnungsadresse ändern",
    }


def test_demo_data_is_refused_in_production(db: None) -> None:
    with override_settings(IS_PRODUCTION=True), pytest.raises(Invalid, match="only for"):
        load_demo(now=NOW)
    assert database_counts()["teams"] == 0


def test_command_prints_one_line_and_is_idempotent(db: None) -> None:
    first, second = io.StringIO(), io.StringIO()
    call_command("load_demo", stdout=first)
    call_command("load_demo", stdout=second)
    assert first.getvalue() == f"{FULL_LOAD}\n"
    assert second.getvalue() == "Demo data already loaded; nothing changed.\n"
    assert Conversation.objects.count() == 30


def test_command_reports_refusal_as_command_error(db: None) -> None:
    with override_settings(IS_PRODUCTION=True), pytest.raises(CommandError, match="only for"):
        call_command("load_demo", stdout=io.StringIO())
