"""Reads about channels shared by the admin and, later, the health page and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from schwarmdesk.channels.models import Channel, ChannelFailure, DeliveryStatus

RECENT = timedelta(hours=24)


@dataclass(frozen=True)
class ChannelHealth:
    last_event_at: datetime | None
    last_send_at: datetime | None
    recent_error_count: int
    last_error: str
    waiting_deliveries: int
    failed_deliveries: int


def get_channel_health(channel: Channel, *, now: datetime | None = None) -> ChannelHealth:
    now = now or timezone.now()
    failures = ChannelFailure.objects.filter(channel=channel)
    recent = failures.filter(created_at__gte=now - RECENT)
    deliveries = channel.deliveries.all()
    return ChannelHealth(
        last_event_at=channel.last_event_at,
        last_send_at=channel.last_send_at,
        recent_error_count=recent.count(),
        last_error=failures.values_list("reason", flat=True).first() or "",
        waiting_deliveries=deliveries.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
        ).count(),
        failed_deliveries=deliveries.filter(status=DeliveryStatus.FAILED).count(),
    )
