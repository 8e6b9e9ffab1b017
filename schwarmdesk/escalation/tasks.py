"""Every minute: escalate the community questions whose deadline has passed."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey ships no types
def escalate_due_task() -> int:
    from schwarmdesk.escalation.actions import escalate_due  # noqa: PLC0415

    handled = escalate_due()
    if handled:
        log.info("escalation.run handled=%s", len(handled))
    return len(handled)
