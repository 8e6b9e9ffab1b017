"""Demo staging: the demo loader backdates its questions after posting them, so their
escalation timers are set again from the backdated time; overdue ones escalate on the
worker's first run, and the newest open question is due shortly (one "about to escalate")."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from schwarmdesk.escalation.hours import add_business_time, load_schedule
from schwarmdesk.escalation.models import Escalation, State
from schwarmdesk.escalation.scheduling import deadline_for

ABOUT_TO_ESCALATE = dt.timedelta(minutes=15)


@transaction.atomic
def settle_demo_escalations(*, now: dt.datetime) -> int:
    """Recompute every scheduled escalation's due time; returns how many are overdue."""
    schedule = load_schedule()
    scheduled = list(
        Escalation.objects.select_for_update()
        .filter(state=State.SCHEDULED)
        .select_related("question")
        .order_by("-question__created_at", "-pk")
    )
    for escalation in scheduled:
        _is_enabled, deadline = deadline_for(escalation.question)
        escalation.due_at = add_business_time(escalation.question.created_at, deadline, schedule)
    if scheduled:
        scheduled[0].due_at = now + ABOUT_TO_ESCALATE  # the newest open question
    Escalation.objects.bulk_update(scheduled, ["due_at"])
    return sum(1 for escalation in scheduled if escalation.due_at <= now)
