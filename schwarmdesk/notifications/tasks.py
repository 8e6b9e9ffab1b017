"""Background entry points for notifications; each calls an action."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

log = logging.getLogger(__name__)


@db_task(retries=5, retry_delay=60)  # type: ignore[untyped-decorator]  # huey ships no types
def send_pending_notifications_task() -> int:
    """Woken after a commit that wrote delivery rows; also sends rows a lost wake-up left."""
    from schwarmdesk.notifications.actions import send_pending  # noqa: PLC0415

    return send_pending()


@db_periodic_task(crontab(minute="*/5"))  # type: ignore[untyped-decorator]  # huey ships no types
def sweep_pending_notifications_task() -> int:
    from schwarmdesk.notifications.actions import send_pending  # noqa: PLC0415

    return send_pending()
