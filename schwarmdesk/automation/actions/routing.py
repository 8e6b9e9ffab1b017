"""Routing rules and load-balanced assignment."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from schwarmdesk.automation.actions.bot import conversation_block
from schwarmdesk.automation.actions.candidates import (
    BOT_USERNAME,
    OPEN_STATUSES,
    bot_agent,
)
from schwarmdesk.automation.models import (
    Assignment,
    HoursCondition,
    RoutingRule,
    Triage,
)
from schwarmdesk.conversations.models import Conversation
from schwarmdesk.core.errors import Invalid
from schwarmdesk.people.actions import Actor
from schwarmdesk.people.models import Agent, Skill

log = logging.getLogger(__name__)


def last_routing_rule(conversation: Conversation) -> RoutingRule | None:
    triage = (
        Triage.objects.select_related("routing_rule")
        .filter(conversation=conversation, routing_rule__isnull=False)
        .order_by("-created_at", "-pk")
        .first()
    )
    return triage.routing_rule if triage else None


# Routing ------------------------------------------------------------------------------------------


def is_business_time(moment: datetime) -> bool:
    """Whether ``moment`` falls into the opening hours (escalation's business hours)."""
    import zoneinfo  # noqa: PLC0415

    from schwarmdesk.escalation.hours import load_schedule  # noqa: PLC0415

    schedule = load_schedule()
    if schedule.always_open:
        return True
    local = moment.astimezone(zoneinfo.ZoneInfo(schedule.time_zone))
    if local.date() in schedule.holidays:
        return False
    return any(
        opens <= local.time() < closes
        for opens, closes in schedule.intervals.get(local.weekday(), [])
    )


def rule_matches(
    rule: RoutingRule,
    *,
    triage: Triage,
    channel_kind: str,
    is_vip: bool,
    customer_language: str,
    moment: datetime,
) -> bool:
    """Every condition the rule sets holds (an empty condition holds always)."""
    checks = (
        not rule.topic or rule.topic.casefold() == triage.topic.casefold(),
        rule.minimum_urgency is None or triage.urgency >= rule.minimum_urgency,
        not rule.sentiment or rule.sentiment == triage.sentiment,
        not rule.complexity or rule.complexity == triage.complexity,
        not rule.channel_kind or rule.channel_kind == channel_kind,
        rule.customer_is_vip is None or rule.customer_is_vip == is_vip,
        not rule.customer_language or rule.customer_language == customer_language,
        not rule.weekdays or timezone.localtime(moment).weekday() in rule.weekdays,
    )
    if not all(checks):
        return False
    if rule.hours == HoursCondition.INSIDE:
        return is_business_time(moment)
    if rule.hours == HoursCondition.OUTSIDE:
        return not is_business_time(moment)
    return True


def match_rule(triage: Triage, conversation: Conversation, channel_kind: str) -> RoutingRule | None:
    customer = conversation.customer
    moment = timezone.now()
    for rule in RoutingRule.objects.filter(is_enabled=True).order_by("position", "pk"):
        if rule_matches(
            rule,
            triage=triage,
            channel_kind=channel_kind,
            is_vip=customer.is_vip,
            customer_language=triage.language or customer.language,
            moment=moment,
        ):
            return rule
    return None


def assign_balanced(
    conversation: Conversation, *, rule: RoutingRule | None = None, skill: Skill | None = None
) -> Agent | None:
    """Give the conversation to the available agent with the skill and language who has the
    fewest open assigned conversations; ties go to the one assigned least recently."""
    skill = skill or (rule.skill if rule else None)
    agents = Agent.objects.filter(is_available=True, user__is_active=True).exclude(
        user__username=BOT_USERNAME
    )
    if conversation.team_id is not None:
        agents = agents.filter(teams=conversation.team_id)
    if skill is not None:
        agents = agents.filter(skills=skill)
    rows = list(
        agents.annotate(
            open_count=Count(
                "assigned_conversations",
                filter=Q(assigned_conversations__status__in=OPEN_STATUSES),
                distinct=True,
            )
        ).order_by("pk")
    )
    language = conversation.language or conversation.customer.language
    speaking = [agent for agent in rows if language in (agent.languages or [])]
    rows = speaking or rows
    if not rows:
        return None
    last = dict(
        Assignment.objects.filter(agent__in=rows)
        .values("agent")
        .annotate(last=Max("assigned_at"))
        .values_list("agent", "last")
    )
    epoch = datetime.min.replace(tzinfo=timezone.get_current_timezone())
    chosen = min(
        rows,
        key=lambda agent: (agent.open_count, last.get(agent.pk) or epoch, agent.pk),
    )
    Conversation.objects.filter(pk=conversation.pk).update(assignee=chosen)
    conversation.assignee = chosen
    Assignment.objects.create(conversation=conversation, agent=chosen, rule=rule)
    log.info("automation.assigned conversation=%s agent=%s", conversation.pk, chosen.pk)
    return chosen


def route(actor: Actor, triage: Triage, *, assign: bool = True) -> Conversation:
    """Apply the first matching routing rule (team, priority, tags, SLA, auto-reply) and assign."""
    from schwarmdesk.channels.actions import reply  # noqa: PLC0415
    from schwarmdesk.conversations.actions import set_tags  # noqa: PLC0415

    message = triage.message
    if message is None:
        raise Invalid("only a customer message's conversation is routed")
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update()
            .select_related("customer")
            .get(pk=message.conversation_id)
        )
        rule = match_rule(triage, conversation, message.channel_kind)
        priority = max(conversation.priority, triage.urgency)
        if rule is not None:
            if rule.team_id is not None:
                conversation.team_id = rule.team_id
            if rule.sla_policy is not None:
                priority = max(priority, rule.sla_policy.priority)
            if rule.priority is not None:
                priority = max(priority, rule.priority) if triage.is_urgent else rule.priority
        conversation.priority = priority
        if not conversation.language and triage.language:  # the triage found it out
            conversation.language = triage.language
        conversation.save(update_fields=["team", "priority", "language", "updated_at"])
        if rule is not None and rule.tag_names:
            names = {tag.name for tag in conversation.tags.all()} | set(rule.tag_names)
            set_tags(actor, conversation, tags=names)
        triage.routing_rule = rule
        triage.save(update_fields=["routing_rule"])
        if rule is not None and rule.auto_reply.strip():
            bot = bot_agent()
            if not conversation_block(conversation, bot):
                reply(bot, conversation.pk, body=rule.auto_reply, visibility=message.visibility)
        if assign and rule is not None and rule.assign_agent and conversation.assignee_id is None:
            assign_balanced(conversation, rule=rule)
    log.info(
        "automation.routed conversation=%s rule=%s priority=%s",
        conversation.pk,
        rule.pk if rule else None,
        conversation.priority,
    )
    return conversation
