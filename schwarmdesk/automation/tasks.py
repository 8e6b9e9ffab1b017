"""Background entry points for the automation; each calls an action."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

log = logging.getLogger(__name__)


@db_task(retries=2, retry_delay=10)  # type: ignore[untyped-decorator]  # huey ships no types
def handle_message_task(message_id: int) -> int | None:
    from schwarmdesk.automation.actions import handle_message  # noqa: PLC0415

    triage = handle_message(message_id)
    return triage.pk if triage else None


@db_task(retries=2, retry_delay=10)  # type: ignore[untyped-decorator]  # huey ships no types
def handle_question_task(question_id: int) -> int | None:
    from schwarmdesk.automation.actions import handle_question  # noqa: PLC0415

    triage = handle_question(question_id)
    return triage.pk if triage else None


@db_task(retries=2, retry_delay=10)  # type: ignore[untyped-decorator]  # huey ships no types
def collect_knowledge_candidate_task(conversation_id: int) -> int | None:
    from schwarmdesk.automation.actions import collect_knowledge_candidate  # noqa: PLC0415

    candidate = collect_knowledge_candidate(conversation_id)
    return candidate.pk if candidate else None


@db_periodic_task(crontab(minute="17"))  # type: ignore[untyped-decorator]  # huey ships no types
def retrain_topic_model_task() -> int | None:
    """Hourly: a new topic model when enough new labels accumulated (else nothing)."""
    from schwarmdesk.automation.actions import retrain_topic_model  # noqa: PLC0415

    version = retrain_topic_model(None)
    return version.pk if version else None
