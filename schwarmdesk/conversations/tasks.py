"""Background entry points for conversations; each calls an action."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_task

log = logging.getLogger(__name__)


@db_task(retries=3, retry_delay=5)  # type: ignore[untyped-decorator]  # huey ships no types
def recompute_counters_task(conversation_id: int) -> int | None:
    from schwarmdesk.conversations.actions import recompute_counters  # noqa: PLC0415

    conversation = recompute_counters(conversation_id)
    if conversation is None:
        log.info("counters.skipped conversation=%s reason=deleted", conversation_id)
        return None
    log.info(
        "counters.recomputed conversation=%s messages=%s",
        conversation_id,
        conversation.message_count,
    )
    return conversation.message_count
