"""The automation's part of the demo data: routing rules for Nordlicht Mobil's two teams."""

from __future__ import annotations

from django.db import transaction

from schwarmdesk.automation.models import RoutingRule
from schwarmdesk.conversations.models import Priority
from schwarmdesk.people.models import Skill, Team


@transaction.atomic
def load_automation_demo() -> int:
    """Create the demo routing rules once; returns how many were created."""
    if RoutingRule.objects.exists():
        return 0
    tech = Team.objects.filter(slug="tech").first()
    travel = Team.objects.filter(slug="travel").first()
    rules = [
        RoutingRule(
            name="Störungen an Technik (hohe Priorität)",
            position=10,
            minimum_urgency=Priority.HIGH,
            team=tech,
            skill=Skill.objects.filter(name="outages").first(),
            priority=Priority.HIGH,
            tags="störung",
            auto_reply=(
                "Danke für Ihre Meldung. Wir prüfen die Störung und melden uns so schnell wie "
                "möglich. Aktuelle Hinweise finden Sie auf unserer Statusseite."
            ),
        ),
        RoutingRule(
            name="Rechtliches und Sicherheit an Technik (dringend)",
            position=5,
            complexity="specialist",
            team=tech,
            skill=Skill.objects.filter(name="escalation").first(),
            priority=Priority.URGENT,
            tags="eskalation",
        ),
        RoutingRule(
            name="Rechnungsfragen an Technik & Tarife (Abrechnung)",
            position=20,
            topic="Rechnung & Zahlung",
            team=tech,
            skill=Skill.objects.filter(name="billing").first(),
        ),
        RoutingRule(
            name="Bahn-Fragen an Bahn & Reisen",
            position=30,
            topic="Bahn & Tickets",
            team=travel,
            skill=Skill.objects.filter(name="refunds").first(),
        ),
    ]
    RoutingRule.objects.bulk_create(rules)
    return len(rules)
