"""Load the demo data set (``schwarmdesk demo``, ``schwarmdesk manage load_demo``).

Everything goes through the actions, in one transaction. Timestamps are spread over the three
weeks before ``now`` so the inbox looks lived-in; external ids are derived from the case keys,
so the same data set always gets the same ids.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from schwarmdesk.automation.demo import load_automation_demo
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.community import actions as community
from schwarmdesk.community.indexing import sync_question_index
from schwarmdesk.community.models import Answer as CommunityAnswer
from schwarmdesk.community.models import Category as CommunityCategory
from schwarmdesk.community.models import Comment as CommunityComment
from schwarmdesk.community.models import Question as CommunityQuestion
from schwarmdesk.conversations.actions import (
    add_message,
    recompute_counters,
    set_status,
    start_conversation,
)
from schwarmdesk.conversations.models import Conversation, Direction, Message, Priority, Status
from schwarmdesk.core.errors import Invalid
from schwarmdesk.demo.channels import load_demo_channels, route_demo_messages
from schwarmdesk.demo.data import (
    DEMO_PASSWORD,
    MARKER_TEAM_SLUG,
    ConversationSpec,
    MessageSpec,
)
from schwarmdesk.demo.data_articles import ARTICLES, CATEGORIES
from schwarmdesk.demo.data_community import (
    COMMUNITY_CATEGORIES,
    COMMUNITY_MEMBERS,
    QUESTIONS,
    CommentSpec,
    QuestionSpec,
)
from schwarmdesk.demo.data_conversations_billing import BILLING_CONVERSATIONS
from schwarmdesk.demo.data_conversations_tech import TECH_CONVERSATIONS
from schwarmdesk.demo.data_conversations_travel import TRAVEL_CONVERSATIONS
from schwarmdesk.demo.data_people import AGENTS, CUSTOMERS, TEAMS
from schwarmdesk.escalation.demo import settle_demo_escalations
from schwarmdesk.inbox.demo import load_inbox_demo
from schwarmdesk.knowledge.actions import create_article, create_category, record_feedback
from schwarmdesk.knowledge.models import Article
from schwarmdesk.notifications.hooks import muted as notifications_muted
from schwarmdesk.people.actions import create_agent, create_customer, create_team, link_identity
from schwarmdesk.people.models import Agent, ChannelIdentity, Customer, Team

log = logging.getLogger(__name__)

CONVERSATIONS: tuple[ConversationSpec, ...] = (
    TRAVEL_CONVERSATIONS + TECH_CONVERSATIONS + BILLING_CONVERSATIONS
)

# (username, password, role) for every demo login; the CLI prints them.
DEMO_LOGINS: list[tuple[str, str, str]] = [
    (agent.username, DEMO_PASSWORD, agent.role) for agent in AGENTS
] + [(key, DEMO_PASSWORD, "Community (Kunde/Kundin)") for key in COMMUNITY_MEMBERS]

PRIORITIES = {
    "low": Priority.LOW,
    "normal": Priority.NORMAL,
    "high": Priority.HIGH,
    "urgent": Priority.URGENT,
}


@dataclass(frozen=True)
class DemoSummary:
    """What one call of :func:`load_demo` created; all zero when the data was already there."""

    created: bool
    teams: int = 0
    agents: int = 0
    customers: int = 0
    identities: int = 0
    conversations: int = 0
    messages: int = 0
    categories: int = 0
    articles: int = 0
    questions: int = 0
    answers: int = 0

    def __str__(self) -> str:
        if not self.created:
            return "Demo data already loaded; nothing changed."
        return (
            f"Demo data loaded: {self.teams} teams, {self.agents} agents, "
            f"{self.customers} customers ({self.identities} channel identities), "
            f"{self.conversations} conversations, {self.messages} messages, "
            f"{self.articles} help articles in {self.categories} categories, "
            f"{self.questions} community questions with {self.answers} answers."
        )


@dataclass(frozen=True)
class ExternalIdSource:
    """What a channel's id format may draw on for one message."""

    token: str  # 64 hex digits, stable per conversation and message position
    thread_token: str  # 64 hex digits, stable per conversation
    is_inbound: bool
    chat_id: str  # the customer's identity on the channel, "" when there is none
    sequence: int  # the message's number among the conversation's channel messages, from 1


def _email_id(source: ExternalIdSource) -> str:
    domain = "mail.example.com" if source.is_inbound else "nordlicht.example.com"
    return f"<{source.token[:12]}.{source.token[12:24]}@{domain}>"


def _snowflake_id(source: ExternalIdSource) -> str:
    # X status ids: 19 digits.
    return str(1_780_000_000_000_000_000 + int(source.token[:15], 16))


def _mastodon_id(source: ExternalIdSource) -> str:
    # Mastodon status ids: 18 digits.
    return str(110_000_000_000_000_000 + int(source.token[:14], 16))


def _facebook_id(source: ExternalIdSource) -> str:
    raw = base64.urlsafe_b64encode(bytes.fromhex(source.token[:48])).decode("ascii")
    return f"m_{raw.rstrip('=')}"


def _telegram_id(source: ExternalIdSource) -> str:
    # Telegram numbers messages per chat, so the chat id is part of the key.
    first = 1000 + int(source.thread_token[:6], 16) % 90_000
    return f"{source.chat_id}:{first + source.sequence}"


def _web_chat_id(source: ExternalIdSource) -> str:
    return f"wcm_{source.token[:20]}"


def _web_form_id(source: ExternalIdSource) -> str:
    return f"form-{source.token[:12]}"


EXTERNAL_ID_FORMATS: dict[str, Callable[[ExternalIdSource], str]] = {
    ChannelKind.EMAIL: _email_id,
    ChannelKind.WEB_FORM: _web_form_id,
    ChannelKind.WEB_CHAT: _web_chat_id,
    ChannelKind.X: _snowflake_id,
    ChannelKind.FACEBOOK: _facebook_id,
    ChannelKind.MASTODON: _mastodon_id,
    ChannelKind.TELEGRAM: _telegram_id,
}


def load_demo(*, now: datetime | None = None) -> DemoSummary:
    """Create the Nordlicht Mobil demo data set once; later calls change nothing.

    Refuses in production mode: every demo agent shares one published password.
    """
    if settings.IS_PRODUCTION:
        raise Invalid("demo data is only for SCHWARMDESK_MODE=demo or development")
    with transaction.atomic():
        if Team.objects.filter(slug=MARKER_TEAM_SLUG).exists():
            log.info("demo.skipped reason=already_loaded")
            return DemoSummary(created=False)
        teams = _load_teams()
        agents = _load_agents(teams)
        customers, identity_count = _load_customers()
        clock = now or timezone.now()
        message_count = 0
        # Oldest first, so case numbers (#SD-000001 ...) grow with time as in a real inbox.
        for spec in sorted(CONVERSATIONS, key=lambda spec: _opened_at(spec, clock)):
            message_count += _load_conversation(
                spec, teams=teams, agents=agents, customers=customers, now=clock
            )
        route_demo_messages(load_demo_channels())  # one channel per kind; replies get routes
        article_count = _load_articles(agents)
        with notifications_muted():  # the demo's history e-mails nobody
            answer_count = _load_community(agents=agents, customers=customers, now=clock)
        settle_demo_escalations(now=clock)  # timers from the backdated times; one due soon
        load_inbox_demo()  # SLA policies for every priority, canned replies
        load_automation_demo()  # routing rules (outages, specialists, billing, travel)
        summary = DemoSummary(
            created=True,
            teams=len(teams),
            agents=len(agents),
            customers=len(customers),
            identities=identity_count,
            conversations=len(CONVERSATIONS),
            messages=message_count,
            categories=len(CATEGORIES),
            articles=article_count,
            questions=len(QUESTIONS),
            answers=answer_count,
        )
    log.info("demo.loaded conversations=%s messages=%s", summary.conversations, message_count)
    return summary


def _load_teams() -> dict[str, Team]:
    return {
        spec.slug: create_team(None, name=spec.name, slug=spec.slug, description=spec.description)
        for spec in TEAMS
    }


def _load_agents(teams: dict[str, Team]) -> dict[str, Agent]:
    return {
        spec.username: create_agent(
            None,
            username=spec.username,
            password=DEMO_PASSWORD,
            display_name=spec.display_name,
            initials=spec.initials,
            email=spec.email,
            languages=spec.languages,
            skills=spec.skills,
            teams=[teams[slug] for slug in spec.teams],
            is_admin=spec.is_admin,
        )
        for spec in AGENTS
    }


def _load_articles(agents: dict[str, Agent]) -> int:
    """Help-center categories and published articles, with their translations and feedback."""
    writer = agents[AGENTS[0].username].user  # categories are kept by the admin
    categories = {
        spec.slug: create_category(
            writer,
            name=spec.name,
            name_en=spec.name_en,
            slug=spec.slug,
            description=spec.description,
            description_en=spec.description_en,
            position=position,
        )
        for position, spec in enumerate(CATEGORIES, start=1)
    }
    articles: dict[str, Article] = {}
    for spec in ARTICLES:  # originals come before their translations
        article = create_article(
            agents[spec.author].user,
            category=categories[spec.category],
            language=spec.language,
            title=spec.title,
            body=spec.body,
            translation_of=articles[spec.translation_of] if spec.translation_of else None,
            publish=True,
        )
        yes, no = spec.helpful
        for number, is_helpful in enumerate([True] * yes + [False] * no, start=1):
            record_feedback(f"demo-{spec.key}-{number}", article, is_helpful=is_helpful)
        articles[spec.key] = article
    return len(articles)


def _load_customers() -> tuple[dict[str, Customer], int]:
    customers: dict[str, Customer] = {}
    identity_count = 0
    for spec in CUSTOMERS:
        person = create_customer(
            None,
            display_name=spec.display_name,
            email=spec.email,
            language=spec.language,
            is_vip=spec.is_vip,
            note=spec.note,
        )
        identity_count += 1 if spec.email else 0
        for identity in spec.identities:
            link_identity(
                None,
                person,
                kind=identity.kind,
                external_id=identity.external_id,
                handle=identity.handle,
                is_verified=identity.is_verified,
            )
            identity_count += 1
        customers[spec.key] = person
    return customers, identity_count


def _opened_at(spec: ConversationSpec, now: datetime) -> datetime:
    """Local wall-clock time ``days_ago`` days back; a day earlier if it would end in the future."""
    local_today = timezone.localtime(now).date()
    wall_clock = time.fromisoformat(spec.opened_at)
    last_offset = timedelta(minutes=max(message.after_minutes for message in spec.messages))
    days_back = spec.days_ago
    while True:
        day = local_today - timedelta(days=days_back)
        opened = datetime.combine(day, wall_clock, tzinfo=timezone.get_current_timezone())
        if opened + last_offset <= now:
            return opened
        days_back += 1


def _load_conversation(
    spec: ConversationSpec,
    *,
    teams: dict[str, Team],
    agents: dict[str, Agent],
    customers: dict[str, Customer],
    now: datetime,
) -> int:
    person = customers[spec.customer]
    conversation = start_conversation(
        None,
        customer=person,
        origin_channel=spec.channel,
        subject=spec.subject,
        language=spec.language,
        priority=PRIORITIES[spec.priority],
        team=teams[spec.team] if spec.team else None,
        assignee=agents[spec.assignee] if spec.assignee else None,
        tags=spec.tags,
    )
    opened = _opened_at(spec, now)
    chat_ids = dict(
        ChannelIdentity.objects.filter(customer=person).values_list("kind", "external_id")
    )
    thread_token = hashlib.sha256(f"nordlicht-demo:{spec.key}".encode()).hexdigest()
    written_at: list[datetime] = []
    sequence = 0
    for position, message_spec in enumerate(spec.messages, start=1):
        at = opened + timedelta(minutes=message_spec.after_minutes)
        sequence += 0 if message_spec.visibility == "internal" else 1
        _add_demo_message(
            conversation,
            message_spec,
            person=person,
            agents=agents,
            at=at,
            external_source=ExternalIdSource(
                token=hashlib.sha256(f"nordlicht-demo:{spec.key}:{position}".encode()).hexdigest(),
                thread_token=thread_token,
                is_inbound=message_spec.is_inbound,
                chat_id=chat_ids.get(message_spec.channel or spec.channel, ""),
                sequence=sequence,
            ),
        )
        written_at.append(at)
    _settle_status(conversation, spec, last_at=written_at[-1], now=now)
    Conversation.objects.filter(pk=conversation.pk).update(
        created_at=opened, updated_at=written_at[-1]
    )
    recompute_counters(conversation.pk)
    return len(spec.messages)


def _add_demo_message(
    conversation: Conversation,
    spec: MessageSpec,
    *,
    person: Customer,
    agents: dict[str, Agent],
    at: datetime,
    external_source: ExternalIdSource,
) -> Message:
    channel = spec.channel or conversation.origin_channel
    is_note = spec.visibility == "internal"
    message = add_message(
        None,
        conversation,
        direction=Direction.INBOUND if spec.is_inbound else Direction.OUTBOUND,
        visibility=spec.visibility,
        channel_kind=channel,
        body_text=spec.text,
        body_html=spec.html,
        external_id="" if is_note else EXTERNAL_ID_FORMATS[channel](external_source),
        author_customer=person if spec.is_inbound else None,
        author_agent=None if spec.is_inbound else agents[spec.agent],
        received_at=at if spec.is_inbound else None,
        sent_at=None if spec.is_inbound or is_note else at,
    )
    Message.objects.filter(pk=message.pk).update(created_at=at)
    return message


def _settle_status(
    conversation: Conversation, spec: ConversationSpec, *, last_at: datetime, now: datetime
) -> None:
    """Walk the case through its life (solved before closed) and date each step."""
    is_finished = spec.status in {"solved", "closed"}
    if is_finished:
        set_status(None, conversation, status=Status.SOLVED)
    if spec.status != "open":
        set_status(None, conversation, status=spec.status)
    Conversation.objects.filter(pk=conversation.pk).update(
        solved_at=min(last_at + timedelta(minutes=20), now) if is_finished else None,
        closed_at=min(last_at + timedelta(days=3), now) if spec.status == "closed" else None,
    )


def _load_community(
    *, agents: dict[str, Agent], customers: dict[str, Customer], now: datetime
) -> int:
    """Community accounts for some customers, categories, questions, answers, comments, votes
    and accepted answers; dated over the last two weeks. Returns the number of answers."""
    people: dict[str, User] = {username: agent.user for username, agent in agents.items()}
    for key in COMMUNITY_MEMBERS:
        person = customers[key]
        first, _space, last = person.display_name.partition(" ")
        user = User.objects.create_user(
            username=key,
            password=DEMO_PASSWORD,
            email=person.email,
            first_name=first,
            last_name=last,
        )
        Customer.objects.filter(pk=person.pk).update(user=user)
        people[key] = user
    categories = {
        spec.slug: community.create_category(
            None,
            name=spec.name,
            name_en=spec.name_en,
            slug=spec.slug,
            description=spec.description,
            description_en=spec.description_en,
            position=position,
        )
        for position, spec in enumerate(COMMUNITY_CATEGORIES, start=1)
    }
    answer_count = 0
    for spec in sorted(QUESTIONS, key=lambda spec: -spec.days_ago):  # oldest first
        answer_count += _load_question(spec, people=people, categories=categories, now=now)
    return answer_count


def _load_question(
    spec: QuestionSpec,
    *,
    people: dict[str, User],
    categories: dict[str, CommunityCategory],
    now: datetime,
) -> int:
    asker = people[spec.author]
    asked_at = now - timedelta(days=spec.days_ago, hours=3)
    question = community.post_question(
        asker,
        category=categories[spec.category],
        title=spec.title,
        body=spec.body,
        language=spec.language,
        tags=spec.tags,
    )
    for voter in spec.voters:
        community.cast_vote(people[voter], question_id=question.pk, value=1)
    last_at = asked_at
    for number, comment in enumerate(spec.comments, start=1):
        last_at = _load_comment(
            comment, people, asked_at + timedelta(minutes=30 * number), question
        )
    for answer_spec in spec.answers:
        answered_at = min(asked_at + timedelta(hours=answer_spec.after_hours), now)
        answer = community.post_answer(
            people[answer_spec.author], question.pk, body=answer_spec.text
        )
        CommunityAnswer.objects.filter(pk=answer.pk).update(
            created_at=answered_at, updated_at=answered_at
        )
        for voter in answer_spec.voters:
            community.cast_vote(people[voter], answer_id=answer.pk, value=1)
        for voter in answer_spec.down_voters:
            community.cast_vote(people[voter], answer_id=answer.pk, value=-1)
        last_at = max(last_at, answered_at)
        for number, comment in enumerate(answer_spec.comments, start=1):
            commented_at = min(answered_at + timedelta(minutes=45 * number), now)
            last_at = max(last_at, _load_comment(comment, people, commented_at, answer=answer))
        if answer_spec.is_accepted:
            community.accept_answer(asker, answer.pk)
    if spec.is_solved:
        community.mark_solved(asker, question.pk)
    CommunityQuestion.objects.filter(pk=question.pk).update(
        created_at=asked_at,
        updated_at=last_at,
        last_activity_at=last_at,
        solved_at=last_at if spec.is_solved or any(a.is_accepted for a in spec.answers) else None,
    )
    question.refresh_from_db()
    sync_question_index(question)  # the age moves the ranking prior
    return len(spec.answers)


def _load_comment(
    spec: CommentSpec,
    people: dict[str, User],
    at: datetime,
    question: CommunityQuestion | None = None,
    answer: CommunityAnswer | None = None,
) -> datetime:
    comment = community.post_comment(
        people[spec.author],
        question_id=question.pk if question is not None else None,
        answer_id=answer.pk if answer is not None else None,
        body=spec.text,
    )
    CommunityComment.objects.filter(pk=comment.pk).update(created_at=at)
    return at
