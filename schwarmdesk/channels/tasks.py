"""Background entry points for channels; each calls an action."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from schwarmdesk.channels.adapters import ADAPTERS

log = logging.getLogger(__name__)


@db_task()  # type: ignore[untyped-decorator]  # huey ships no types
def deliver_due_task() -> int:
    from schwarmdesk.channels.actions import deliver_due  # noqa: PLC0415

    return deliver_due()


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey ships no types
def deliver_due_periodically() -> int:
    """Retries whose back-off has run out, and rows whose wake-up was lost."""
    from schwarmdesk.channels.actions import deliver_due  # noqa: PLC0415

    return deliver_due()


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey ships no types
def poll_channels() -> int:
    from schwarmdesk.channels.actions import poll_channel  # noqa: PLC0415
    from schwarmdesk.channels.models import Channel  # noqa: PLC0415

    polled = [kind for kind, adapter in ADAPTERS.items() if adapter.capabilities.is_polled]
    channels = Channel.objects.filter(kind__in=polled, is_enabled=True)
    count = 0
    for channel_id in channels.values_list("pk", flat=True):
        poll_channel(channel_id)
        count += 1
    return count


@db_task()  # type: ignore[untyped-decorator]  # huey ships no types
def send_form_confirmation_task(message_id: int) -> bool:
    from schwarmdesk.channels.web_form import send_confirmation  # noqa: PLC0415

    return send_confirmation(message_id)


@db_periodic_task(crontab(minute="17"))  # type: ignore[untyped-decorator]  # huey ships no types
def prune_form_submissions() -> int:
    from schwarmdesk.channels.web_form import prune_submissions  # noqa: PLC0415

    return prune_submissions()


@db_task()  # type: ignore[untyped-decorator]  # huey ships no types
def send_chat_transcript_task(channel_id: int, visitor_id: str, email: str, language: str) -> bool:
    from schwarmdesk.channels.webchat import send_transcript  # noqa: PLC0415

    return send_transcript(channel_id, visitor_id, email, language)


@db_periodic_task(crontab(minute="*/5"))  # type: ignore[untyped-decorator]  # huey ships no types
def check_channel_health_periodically() -> int:
    """Warn the administrators (once per change) when a channel stops receiving or sending."""
    from schwarmdesk.channels.health import check_all_channels  # noqa: PLC0415

    return check_all_channels()


@db_task()  # type: ignore[untyped-decorator]  # huey ships no types
def process_received_task() -> int:
    """Raw events accepted by a webhook: parse and store them in batches (channels.batch)."""
    from schwarmdesk.channels.batch import process_all_received  # noqa: PLC0415

    return process_all_received()


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey ships no types
def process_received_periodically() -> int:
    """Events whose wake-up was lost, or whose worker was killed half-way through a batch;
    and follow-ups (triage) lost with a killed worker."""
    from schwarmdesk.channels.batch import follow_up_missing, process_all_received  # noqa: PLC0415

    processed: int = process_all_received()
    follow_up_missing()
    return processed


@db_task(retries=2, retry_delay=10)  # type: ignore[untyped-decorator]  # huey ships no types
def follow_up_received_task(message_ids: list[int], conversation_ids: list[int]) -> int:
    from schwarmdesk.channels.batch import follow_up_received  # noqa: PLC0415

    return follow_up_received(message_ids, conversation_ids)
