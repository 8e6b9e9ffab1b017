"""The inbox's part of the demo data: SLA policies for every priority and canned replies."""

from __future__ import annotations

from django.db import transaction

from schwarmdesk.conversations.models import Priority
from schwarmdesk.inbox.models import CannedReply, SlaPolicy

HOUR = 60
DAY = 24 * HOUR

# priority: (first response, next response, resolution), in minutes
SLA_TARGETS = {
    Priority.URGENT: (30, HOUR, 4 * HOUR),
    Priority.HIGH: (HOUR, 2 * HOUR, DAY),
    Priority.NORMAL: (4 * HOUR, 8 * HOUR, 3 * DAY),
    Priority.LOW: (DAY, 2 * DAY, 7 * DAY),
}

CANNED_REPLIES = [
    (
        "Begrüßung",
        "de",
        "Hallo {{customer.name}},\n\nvielen Dank für Ihre Nachricht. \n\n"
        "Viele Grüße\n{{agent.name}}, Nordlicht Mobil",
    ),
    (
        "Greeting",
        "en",
        "Hello {{customer.name}},\n\nthank you for your message. \n\n"
        "Best regards\n{{agent.name}}, Nordlicht Mobil",
    ),
    (
        "Erstattung bei Zugausfall",
        "de",
        "Hallo {{customer.name}},\n\nbei einem Zugausfall erstatten wir den Fahrpreis. "
        "Bitte nennen Sie bei Rückfragen Ihre Fallnummer {{conversation.reference}}.\n\n"
        "Viele Grüße\n{{agent.name}}",
    ),
    (
        "Router neu starten",
        "de",
        "Hallo {{customer.name}},\n\nbitte trennen Sie den Router 30 Sekunden vom Strom und "
        "schalten Sie ihn wieder ein. Meldet er sich danach noch rot, antworten Sie einfach "
        "auf diese Nachricht ({{conversation.reference}}).\n\nViele Grüße\n{{agent.name}}",
    ),
    (
        "Case number",
        "en",
        "Your case number is {{conversation.reference}}; please quote it when you write to us. "
        "Best regards, {{agent.name}}",
    ),
]


@transaction.atomic
def load_inbox_demo() -> tuple[int, int]:
    """Create the SLA policies and canned replies once; returns how many exist."""
    for priority, (first, following, resolution) in SLA_TARGETS.items():
        SlaPolicy.objects.update_or_create(
            priority=priority,
            defaults={
                "first_response_minutes": first,
                "next_response_minutes": following,
                "resolution_minutes": resolution,
            },
        )
    for title, language, body in CANNED_REPLIES:
        CannedReply.objects.update_or_create(
            title=title, language=language, defaults={"body": body}
        )
    return SlaPolicy.objects.count(), CannedReply.objects.count()
