"""The answer bot: answers above the channel's threshold, names its source, offers feedback;
abstains below it, after an agent took over, twice in a row, on angry or urgent messages."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core import signing
from django.test import Client

from schwarmdesk.automation.actions import (
    BOT_USERNAME,
    bot_setting,
    feedback_token,
    find_answers,
    record_feedback,
)
from schwarmdesk.automation.actions.candidates import FEEDBACK_SALT
from schwarmdesk.automation.models import BotAttempt, BotSetting, Feedback, SourcePrior, Triage
from schwarmdesk.channels.models import Channel, Delivery
from schwarmdesk.community.actions import create_category, post_question
from schwarmdesk.community.models import Answer
from schwarmdesk.conversations.models import Conversation, Direction, Message, Status
from schwarmdesk.core.errors import Invalid
from schwarmdesk.knowledge.models import Article
from schwarmdesk.people.models import Agent, Customer
from tests.automation.conftest import Receive

QUESTION = "Wie ändere ich meine Rechnungsadresse?"


def bot_messages(conversation_id: int) -> list[Message]:
    return list(
        Message.objects.filter(
            conversation_id=conversation_id,
            direction=Direction.OUTBOUND,
            author_agent__user__username=BOT_USERNAME,
        )
    )


def test_bot_answers_above_threshold_naming_its_source(
    receive_message: Receive, help_article: Article
) -> None:
    # When: a question the help article answers arrives on a private channel
    message = receive_message(QUESTION)

    # Then: the bot replied through the channel, naming the article and offering feedback
    [answer] = bot_messages(message.conversation_id)
    assert answer.visibility == "private"
    assert answer.body_text.startswith("Ihre Rechnungsadresse ändern Sie im Kundenportal")
    assert "Quelle: Rechnungsadresse ändern http://127.0.0.1:8000/help/de/" in answer.body_text
    attempt = BotAttempt.objects.get(message=message)
    assert attempt.is_answered
    assert (attempt.confidence, attempt.threshold) == (0.9, 0.75)
    assert (attempt.source_kind, attempt.source_id) == ("article", help_article.pk)
    # both feedback links carry a signed token of this attempt (signed with the time: read it)
    links = re.findall(r"/automation/feedback/([^/\s]+)/\?verdict=(\w+)", answer.body_text)
    assert [verdict for _, verdict in links] == ["solved", "person"]
    for token, _ in links:
        assert signing.loads(token, salt=FEEDBACK_SALT) == {"attempt": attempt.pk}
    assert Delivery.objects.filter(message=answer).count() == 1
    # and the conversation was not given to an agent: the customer may be helped already
    assert Conversation.objects.get(pk=message.conversation_id).assignee is None


def test_bot_abstains_below_threshold_and_keeps_the_candidates(
    receive_message: Receive, help_article: Article
) -> None:
    # Given: a stricter bar for Telegram
    BotSetting.objects.create(channel_kind="telegram", threshold=0.95)

    message = receive_message(QUESTION)

    assert bot_messages(message.conversation_id) == []
    attempt = BotAttempt.objects.get(message=message)
    assert not attempt.is_answered
    assert attempt.reason == "below_threshold"
    assert [(c["kind"], c["object_id"], c["confidence"]) for c in attempt.candidates] == [
        ("article", help_article.pk, 0.9)
    ]
    assert attempt.candidates[0]["body"].startswith("Ihre Rechnungsadresse ändern Sie")


def test_public_channels_have_a_higher_bar_by_default(db: None) -> None:
    assert bot_setting("telegram").threshold == 0.75
    assert bot_setting("x").threshold == 0.85
    assert bot_setting("community").threshold == 0.85


def test_public_reply_on_a_public_channel(
    receive_message: Receive, help_article: Article, x_channel: Channel
) -> None:
    message = receive_message(QUESTION, channel=x_channel, is_public=True)

    [answer] = bot_messages(message.conversation_id)
    assert answer.visibility == "public"


def test_bot_never_answers_after_an_agent_took_over(
    receive_message: Receive, help_article: Article, alice: Agent
) -> None:
    # Given: an agent took the conversation
    first = receive_message("Hallo, ich habe eine Frage.")
    Conversation.objects.filter(pk=first.conversation_id).update(assignee=alice)

    # When: the customer asks something the bot could answer
    second = receive_message(QUESTION)

    # Then
    assert second.conversation_id == first.conversation_id
    assert bot_messages(first.conversation_id) == []
    assert BotAttempt.objects.get(message=second).reason == "agent_took_over"


def test_bot_never_answers_after_an_agent_replied(
    receive_message: Receive, help_article: Article, alice: Agent
) -> None:
    from schwarmdesk.channels.actions import reply

    first = receive_message("Hallo, ich habe eine Frage.")
    reply(alice, first.conversation_id, body="Gern, worum geht es?", visibility="private")
    Conversation.objects.filter(pk=first.conversation_id).update(assignee=None)

    second = receive_message(QUESTION)

    assert bot_messages(first.conversation_id) == []
    assert BotAttempt.objects.get(message=second).reason == "agent_took_over"


def test_handling_a_message_again_sends_nothing_more(
    receive_message: Receive, help_article: Article
) -> None:
    from schwarmdesk.automation.actions import handle_message

    message = receive_message(QUESTION)

    handle_message(message.pk)  # the task again, e.g. a retry

    assert len(bot_messages(message.conversation_id)) == 1
    assert BotAttempt.objects.filter(message=message).count() == 1
    assert Triage.objects.filter(message=message).count() == 1


def test_bot_never_answers_twice_in_a_row(receive_message: Receive, help_article: Article) -> None:
    first = receive_message(QUESTION)
    second = receive_message("Das hat nicht geklappt. " + QUESTION)

    assert len(bot_messages(first.conversation_id)) == 1
    assert BotAttempt.objects.get(message=second).reason == "bot_answered_last"


@pytest.mark.parametrize(
    ("text", "reason", "allow"),
    [
        ("Frechheit!!! " + QUESTION, "angry", "answers_angry"),
        ("Seit Tagen kein Internet. " + QUESTION, "urgent", "answers_urgent"),
    ],
)
def test_bot_does_not_answer_angry_or_urgent_messages_unless_allowed(
    receive_message: Receive, help_article: Article, text: str, reason: str, allow: str
) -> None:
    # Given / When: the default settings
    refused = receive_message(text, sender="8001")

    # Then
    assert bot_messages(refused.conversation_id) == []
    assert BotAttempt.objects.get(message=refused).reason == reason

    # Given: the admin allows such messages
    BotSetting.objects.create(channel_kind="telegram", threshold=0.2, **{allow: True})

    # When: another customer writes the same
    allowed = receive_message(text, sender="8002")

    # Then
    assert len(bot_messages(allowed.conversation_id)) == 1


def test_bot_switched_off_for_a_channel(receive_message: Receive, help_article: Article) -> None:
    BotSetting.objects.create(channel_kind="telegram", threshold=0.5, is_enabled=False)

    message = receive_message(QUESTION)

    assert bot_messages(message.conversation_id) == []
    assert BotAttempt.objects.get(message=message).reason == "disabled"


def test_feedback_moves_future_confidence_for_that_source(
    receive_message: Receive, help_article: Article
) -> None:
    # Given: two bot answers from the same article
    first = BotAttempt.objects.get(message=receive_message(QUESTION, sender="9001"))
    second = BotAttempt.objects.get(message=receive_message(QUESTION, sender="9002"))
    assert find_answers(QUESTION, language="de")[0].confidence == 0.9

    # When: one customer needed a person
    record_feedback(None, first.pk, verdict=Feedback.PERSON)

    # Then: the source's counts and the confidence for it moved down (Beta(9, 1) prior)
    prior = SourcePrior.objects.get(kind="article", object_id=help_article.pk)
    assert (prior.helpful, prior.unhelpful) == (0, 1)
    assert find_answers(QUESTION, language="de")[0].confidence == round(9 / 11, 4)

    # When: the other one was solved, and the first customer clicks again
    record_feedback(None, second.pk, verdict=Feedback.SOLVED)
    record_feedback(None, first.pk, verdict=Feedback.SOLVED)  # the first verdict counts

    # Then
    prior.refresh_from_db()
    assert (prior.helpful, prior.unhelpful) == (1, 1)
    assert find_answers(QUESTION, language="de")[0].confidence == round(10 / 12, 4)


def test_unhelpful_source_falls_below_the_threshold(
    receive_message: Receive, help_article: Article
) -> None:
    SourcePrior.objects.create(kind="article", object_id=help_article.pk, unhelpful=3)

    message = receive_message(QUESTION)

    attempt = BotAttempt.objects.get(message=message)
    assert attempt.reason == "below_threshold"
    assert attempt.confidence == round(9 / 13, 4)


def test_unknown_verdict_is_refused(receive_message: Receive, help_article: Article) -> None:
    attempt = BotAttempt.objects.get(message=receive_message(QUESTION))

    with pytest.raises(Invalid):
        record_feedback(None, attempt.pk, verdict="maybe")
    assert SourcePrior.objects.count() == 0


def test_signed_feedback_link_asks_then_records(
    client: Client, receive_message: Receive, help_article: Article
) -> None:
    message = receive_message(QUESTION)
    attempt = BotAttempt.objects.get(message=message)
    url = f"/automation/feedback/{feedback_token(attempt)}/"

    # A GET (a mail scanner following the link) changes nothing
    page = client.get(url, {"verdict": "person"})
    assert page.status_code == 200
    attempt.refresh_from_db()
    assert attempt.feedback == ""

    # The customer's POST records the verdict and reopens the case for a person
    Conversation.objects.filter(pk=message.conversation_id).update(status=Status.PENDING)
    response = client.post(url, {"verdict": "person"})
    assert response.status_code == 200
    attempt.refresh_from_db()
    assert attempt.feedback == Feedback.PERSON
    assert Conversation.objects.get(pk=message.conversation_id).status == Status.OPEN


def test_forged_feedback_link_is_404(client: Client, db: None) -> None:
    assert client.post("/automation/feedback/eyJhdHRlbXB0IjoxfQ:forged/").status_code == 404
    assert SourcePrior.objects.count() == 0


@pytest.fixture
def asker(carol: Customer) -> User:
    user = User.objects.create_user(username="carol", password="carol-password")
    Customer.objects.filter(pk=carol.pk).update(user=user)
    return user


def test_bot_answers_a_community_question_and_the_asker_gives_feedback(
    client: Client,
    asker: User,
    help_article: Article,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    # Given: a community category
    category = create_category(None, name="Rechnung", name_en="Billing", slug="rechnung")

    # When: Carol asks what the help article answers
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        question = post_question(asker, category=category, title=QUESTION)

    # Then: the bot posted a community answer naming the article, marked as a bot answer
    attempt = BotAttempt.objects.get(question=question)
    assert attempt.is_answered
    answer = Answer.objects.get(question=question)
    assert attempt.community_answer == answer
    assert answer.author.username == BOT_USERNAME
    assert "Quelle: [Rechnungsadresse ändern](/help/de/" in answer.body
    page = client.get(question.get_absolute_url())
    assert "Automatische Antwort aus dem Hilfeartikel" in page.content.decode() or (
        "Automatic answer from the help article" in page.content.decode()
    )

    # When: someone else presses the button: nothing happens
    other = User.objects.create_user(username="eve", password="eve-password")
    client.force_login(other)
    url = f"/automation/community/answers/{answer.pk}/feedback/"
    assert client.post(url, {"verdict": "solved"}).status_code == 404
    attempt.refresh_from_db()
    assert attempt.feedback == ""

    # When: Carol presses "this solved it"
    client.force_login(asker)
    response = client.post(url, {"verdict": "solved"})

    # Then
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.feedback == Feedback.SOLVED
    assert SourcePrior.objects.get(kind="article", object_id=help_article.pk).helpful == 1


def test_bot_answers_a_community_question_only_once(
    asker: User,
    help_article: Article,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    from schwarmdesk.automation.actions import handle_question

    category = create_category(None, name="Rechnung", name_en="Billing", slug="rechnung")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        question = post_question(asker, category=category, title=QUESTION)

    handle_question(question.pk)  # the task again, e.g. a retry

    assert Answer.objects.filter(question=question).count() == 1
    assert BotAttempt.objects.filter(question=question).count() == 1
