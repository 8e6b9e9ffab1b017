"""Background entry points for the inbox; each calls an action."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()  # type: ignore[untyped-decorator]  # huey ships no types
def mail_mentions_task(mention_ids: list[int]) -> int:
    from schwarmdesk.inbox.notify import mail_mentions  # noqa: PLC0415

    return mail_mentions(mention_ids)
