"""Every state change of the automation: triage, routing, assignment, the answer bot and its
feedback, model versions, knowledge candidates (one module per sub-domain, re-exported here).

Entry points run in the worker after the message or question is committed
(:mod:`schwarmdesk.automation.tasks`): ``handle_message`` = triage, then the bot, then routing;
``handle_question`` = triage, then the bot.
"""

from __future__ import annotations

from schwarmdesk.automation.actions.assessment import (
    Assessment,
    assess,
    triage_message,
    triage_question,
)
from schwarmdesk.automation.actions.bot import (
    access_attempt_by_token,
    access_community_attempt,
    answer_message,
    answer_question,
    conversation_block,
    feedback_token,
    feedback_url,
    record_feedback,
)
from schwarmdesk.automation.actions.candidates import (
    BOT_INITIALS,
    BOT_NAME,
    BOT_USERNAME,
    BURST_MINUTES,
    BURST_SIZE,
    CANDIDATES,
    FEEDBACK_SALT,
    MIN_TOPIC_LABELS,
    OPEN_STATUSES,
    PRIOR_HELPFUL,
    PRIOR_UNHELPFUL,
    REPEAT_CONTACTS,
    REPEAT_HOURS,
    RETRAIN_EVERY,
    VIP_TAG,
    Candidate,
    bot_agent,
    bot_setting,
    find_answers,
    helpfulness,
    is_bot,
)
from schwarmdesk.automation.actions.learning import (
    access_candidate,
    activate_model_version,
    collect_knowledge_candidate,
    dismiss_candidate,
    labelled_examples,
    publish_candidate,
    register_model,
    retrain_topic_model,
    rollback_model,
    train_sentiment_model,
)
from schwarmdesk.automation.actions.routing import (
    assign_balanced,
    is_business_time,
    last_routing_rule,
    match_rule,
    route,
    rule_matches,
)
from schwarmdesk.automation.models import Triage

# Entry points -------------------------------------------------------------------------------------


def handle_message(message_id: int) -> Triage | None:
    """Triage a new inbound message, let the bot try, then route the conversation."""
    result = triage_message(None, message_id)
    if result is None:
        return None
    triage, assessment = result
    attempt = answer_message(None, triage, assessment)
    route(None, triage, assign=not attempt.is_answered)
    return triage


def handle_question(question_id: int) -> Triage | None:
    result = triage_question(None, question_id)
    if result is None:
        return None
    triage, assessment = result
    answer_question(None, triage, assessment)
    return triage


__all__ = [
    "BOT_INITIALS",
    "BOT_NAME",
    "BOT_USERNAME",
    "BURST_MINUTES",
    "BURST_SIZE",
    "CANDIDATES",
    "FEEDBACK_SALT",
    "MIN_TOPIC_LABELS",
    "OPEN_STATUSES",
    "PRIOR_HELPFUL",
    "PRIOR_UNHELPFUL",
    "REPEAT_CONTACTS",
    "REPEAT_HOURS",
    "RETRAIN_EVERY",
    "VIP_TAG",
    "Assessment",
    "Candidate",
    "access_attempt_by_token",
    "access_candidate",
    "access_community_attempt",
    "activate_model_version",
    "answer_message",
    "answer_question",
    "assess",
    "assign_balanced",
    "bot_agent",
    "bot_setting",
    "collect_knowledge_candidate",
    "conversation_block",
    "dismiss_candidate",
    "feedback_token",
    "feedback_url",
    "find_answers",
    "handle_message",
    "handle_question",
    "helpfulness",
    "is_bot",
    "is_business_time",
    "labelled_examples",
    "last_routing_rule",
    "match_rule",
    "publish_candidate",
    "record_feedback",
    "register_model",
    "retrain_topic_model",
    "rollback_model",
    "route",
    "rule_matches",
    "train_sentiment_model",
    "triage_message",
    "triage_question",
]
