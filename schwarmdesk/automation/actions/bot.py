"""The answer bot: answer or hand over, feedback on its answers."""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from schwarmdesk.automation.actions.assessment import Assessment
from schwarmdesk.automation.actions.candidates import (
    BOT_NAME,
    FEEDBACK_SALT,
    Candidate,
    bot_agent,
    bot_setting,
)
from schwarmdesk.automation.models import (
    BotAttempt,
    BotSetting,
    Feedback,
    SourcePrior,
    Triage,
)
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.community.models import Answer
from schwarmdesk.community.models import Visibility as PostVisibility
from schwarmdesk.conversations.models import (
    Conversation,
    Direction,
    Message,
    Priority,
    Status,
    Visibility,
)
from schwarmdesk.core.errors import Invalid, NotFound
from schwarmdesk.people.actions import Actor
from schwarmdesk.people.models import Agent

log = logging.getLogger(__name__)

# The answer bot -----------------------------------------------------------------------------------


def _abstain_reason(setting: BotSetting, triage: Triage, assessment: Assessment) -> str:
    if not setting.is_enabled:
        return "disabled"
    if assessment.is_angry and not setting.answers_angry:
        return "angry"
    if triage.urgency >= Priority.HIGH and not setting.answers_urgent:
        return "urgent"
    if not assessment.candidates:
        return "no_candidate"
    if assessment.candidates[0].confidence < setting.threshold:
        return "below_threshold"
    return ""


def conversation_block(conversation: Conversation, bot: Agent) -> str:
    """Why the bot must stay out of this conversation ("" when it may answer)."""
    if conversation.assignee_id is not None and conversation.assignee_id != bot.pk:
        return "agent_took_over"
    outbound = (
        Message.objects.filter(conversation=conversation, direction=Direction.OUTBOUND)
        .exclude(visibility=Visibility.INTERNAL)
        .order_by("-created_at", "-pk")
    )
    if outbound.filter(author_agent__isnull=False).exclude(author_agent=bot).exists():
        return "agent_took_over"
    last = outbound.first()
    if last is not None and last.author_agent_id == bot.pk:
        return "bot_answered_last"
    return ""


def feedback_token(attempt: BotAttempt) -> str:
    return signing.dumps({"attempt": attempt.pk}, salt=FEEDBACK_SALT)


def feedback_url(attempt: BotAttempt, verdict: str) -> str:
    path = reverse("automation:feedback", kwargs={"token": feedback_token(attempt)})
    return f"{settings.BASE_URL}{path}?verdict={verdict}"


def _bot_text(candidate: Candidate, attempt: BotAttempt, language: str) -> str:
    with override(language if language in ("de", "en") else "de"):
        return "\n\n".join(
            [
                candidate.body.strip()[:3000],
                _("Source: %(title)s %(url)s")
                % {"title": candidate.title, "url": f"{settings.BASE_URL}{candidate.url}"},
                _("Did this solve it? Yes: %(yes)s - I need a person: %(no)s")
                % {
                    "yes": feedback_url(attempt, Feedback.SOLVED),
                    "no": feedback_url(attempt, Feedback.PERSON),
                },
                _("(An automatic answer by %(name)s.)") % {"name": BOT_NAME},
            ]
        )


def _candidates_json(assessment: Assessment) -> list[dict[str, object]]:
    return [asdict(candidate) for candidate in assessment.candidates]


def answer_message(actor: Actor, triage: Triage, assessment: Assessment) -> BotAttempt:
    """Answer a customer message from the knowledge base, or hand over (recorded either way)."""
    from schwarmdesk.channels.actions import reply  # noqa: PLC0415 -- channels imports us lazily

    message = triage.message
    if message is None:
        raise Invalid("this triage is of a community question")
    if (done := BotAttempt.objects.filter(message=message).first()) is not None:
        return done  # the task ran again (a retry): one attempt per message
    bot = bot_agent()
    setting = bot_setting(message.channel_kind)
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=message.conversation_id)
        reason = conversation_block(conversation, bot) or _abstain_reason(
            setting, triage, assessment
        )
        best = assessment.candidates[0] if assessment.candidates else None
        attempt = BotAttempt.objects.create(
            conversation=conversation,
            message=message,
            is_answered=not reason,
            reason=reason,
            confidence=best.confidence if best else 0.0,
            threshold=setting.threshold,
            candidates=_candidates_json(assessment),
        )
        if not reason and best is not None:
            language = triage.language or conversation.language or conversation.customer.language
            sent = reply(
                bot,
                conversation.pk,
                body=_bot_text(best, attempt, language),
                visibility=message.visibility,
            )
            attempt.reply = sent
            attempt.source_kind, attempt.source_id = best.kind, best.object_id
            attempt.source_title, attempt.source_url = best.title[:300], best.url[:500]
            attempt.save(
                update_fields=["reply", "source_kind", "source_id", "source_title", "source_url"]
            )
    log.info(
        "automation.bot conversation=%s answered=%s reason=%s confidence=%s",
        conversation.pk,
        attempt.is_answered,
        reason,
        attempt.confidence,
    )
    return attempt


def answer_question(actor: Actor, triage: Triage, assessment: Assessment) -> BotAttempt:
    """Answer a community question as the bot (a community answer), or leave it to people."""
    from schwarmdesk.community.actions import post_answer  # noqa: PLC0415 -- it calls us

    question = triage.question
    if question is None:
        raise Invalid("this triage is of a customer message")
    if (done := BotAttempt.objects.filter(question=question).first()) is not None:
        return done  # the task ran again (a retry): one attempt per question
    bot = bot_agent()
    setting = bot_setting(ChannelKind.COMMUNITY)
    reason = ""
    if question.visibility != PostVisibility.VISIBLE:
        reason = "not_visible"
    elif BotAttempt.objects.filter(question=question, is_answered=True).exists():
        reason = "bot_answered_last"
    elif Answer.objects.filter(question=question, is_official=True).exclude(author=bot.user):
        reason = "agent_took_over"
    reason = reason or _abstain_reason(setting, triage, assessment)
    best = assessment.candidates[0] if assessment.candidates else None
    with transaction.atomic():
        attempt = BotAttempt.objects.create(
            question=question,
            is_answered=not reason,
            reason=reason,
            confidence=best.confidence if best else 0.0,
            threshold=setting.threshold,
            candidates=_candidates_json(assessment),
        )
        if not reason and best is not None:
            with override(question.language):
                body = "\n\n".join(
                    [
                        best.body.strip()[:3000],
                        _("Source: [%(title)s](%(url)s)") % {"title": best.title, "url": best.url},
                        _("(An automatic answer by %(name)s.)") % {"name": BOT_NAME},
                    ]
                )
            answer = post_answer(bot.user, question.pk, body=body)
            attempt.community_answer = answer
            attempt.source_kind, attempt.source_id = best.kind, best.object_id
            attempt.source_title, attempt.source_url = best.title[:300], best.url[:500]
            attempt.save(
                update_fields=[
                    "community_answer",
                    "source_kind",
                    "source_id",
                    "source_title",
                    "source_url",
                ]
            )
    return attempt


def access_attempt_by_token(token: str) -> BotAttempt:
    """The bot answer a signed feedback link names; NotFound for a forged or unknown one."""
    try:
        data = signing.loads(token, salt=FEEDBACK_SALT, max_age=timedelta(days=90))
    except signing.BadSignature:
        raise NotFound("no such answer") from None
    attempt_id = data.get("attempt") if isinstance(data, dict) else None
    if not isinstance(attempt_id, int):
        raise NotFound("no such answer")
    attempt = BotAttempt.objects.filter(pk=attempt_id, is_answered=True).first()
    if attempt is None:
        raise NotFound("no such answer")
    return attempt


def access_community_attempt(actor: Actor, answer_id: int) -> BotAttempt:
    """The bot's community answer; only the question's author gives feedback on it."""
    attempt = (
        BotAttempt.objects.select_related("question")
        .filter(community_answer_id=answer_id, is_answered=True)
        .first()
    )
    if (
        attempt is None
        or attempt.question is None
        or actor is None
        or not actor.is_authenticated
        or attempt.question.author_id != actor.pk
    ):
        raise NotFound("no such answer")
    return attempt


@transaction.atomic
def record_feedback(actor: Actor, attempt_id: int, *, verdict: str) -> BotAttempt:
    """ "This solved it" / "I need a person" on a bot answer; the first verdict counts.

    It moves the source's helpfulness counts (and so future confidence for that source); "I
    need a person" hands the conversation to an agent.
    """
    if verdict not in (Feedback.SOLVED, Feedback.PERSON):
        raise Invalid(f"unknown verdict {verdict!r}")
    attempt = BotAttempt.objects.select_for_update().filter(pk=attempt_id, is_answered=True).first()
    if attempt is None:
        raise NotFound("no such answer")
    if attempt.feedback:
        return attempt
    attempt.feedback = verdict
    attempt.feedback_at = timezone.now()
    attempt.save(update_fields=["feedback", "feedback_at"])
    if attempt.source_id is not None:
        prior, _created = SourcePrior.objects.get_or_create(
            kind=attempt.source_kind, object_id=attempt.source_id
        )
        field = "helpful" if verdict == Feedback.SOLVED else "unhelpful"
        SourcePrior.objects.filter(pk=prior.pk).update(**{field: F(field) + 1})
    if verdict == Feedback.PERSON and attempt.conversation_id is not None:
        from schwarmdesk.automation.actions.routing import (  # noqa: PLC0415 -- routing imports bot
            assign_balanced,
            last_routing_rule,
        )

        conversation = Conversation.objects.select_for_update().get(pk=attempt.conversation_id)
        if conversation.status != Status.OPEN:
            conversation.status = Status.OPEN
            conversation.save(update_fields=["status", "updated_at"])
        if conversation.assignee_id is None:
            assign_balanced(conversation, rule=last_routing_rule(conversation))
    log.info("automation.feedback attempt=%s verdict=%s", attempt.pk, verdict)
    return attempt
