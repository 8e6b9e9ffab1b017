"""Channel health: warn the administrators before customers notice that a channel stopped.

A periodic check (``tasks.check_channel_health_periodically``) looks at every enabled channel:

- ``silent``: no event received for longer than the channel's expected interval (option
  ``expected_event_hours``; default 1 hour for a polled mailbox, 24 hours otherwise; 0 = never);
- ``not_sending``: deliveries are failing and nothing was sent since they started to fail;
- ``error_rate``: more than ``error_rate_percent`` (default 50) of the last hour's events and
  sends failed, counting at least ``MIN_ERRORS`` failures;
- ``credentials_expiring`` / ``credentials_expired``: option ``credentials_expire_at`` (ISO date
  or date-time) within ``EXPIRY_WARNING`` or past;
- ``credentials_refused``: the platform or mail server refused our credentials after the last
  successful send (set at once by the failing send or poll: broken credentials never fail
  silently);
- ``not_verified``: a webhook request failed its signature check and none passed since.

A state change (working → warning, warning → working) sends one e-mail to the administrators
(superusers with an e-mail address, each in their language); the state and its problems are
shown on the channel's admin page and on the admin index.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from schwarmdesk.channels.adapters import ADAPTERS
from schwarmdesk.channels.adapters.base import SendError
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.channels.models import (
    Channel,
    ChannelFailure,
    Delivery,
    DeliveryStatus,
    HealthState,
    InboundEvent,
)

log = logging.getLogger(__name__)

POLLED_MAIL_INTERVAL = timedelta(hours=1)
DEFAULT_INTERVAL = timedelta(hours=24)
ERROR_WINDOW = timedelta(hours=1)
FAILING_WINDOW = timedelta(hours=24)
EXPIRY_WARNING = timedelta(days=7)
DEFAULT_ERROR_RATE_PERCENT = 50
MIN_ERRORS = 3
# SMTP 530/534/535 and HTTP 401/403: the server does not accept who we say we are.
CREDENTIAL_STATUSES = frozenset({401, 403, 530, 534, 535})


@dataclass(frozen=True)
class Problem:
    """One reason for a warning; ``value`` is the figure it is about (hours, percent, date)."""

    code: str
    value: str = ""

    def describe(self) -> str:
        texts = {
            "silent": _("No event received for more than %(value)s hours."),
            "not_sending": _("Replies are failing and nothing was sent since they started."),
            "error_rate": _("%(value)s %% of the last hour's events and sends failed."),
            "credentials_expiring": _("The credentials expire on %(value)s."),
            "credentials_expired": _("The credentials expired on %(value)s."),
            "credentials_refused": _("The credentials were refused: %(value)s"),
            "not_verified": _("Webhook requests fail their signature check (last: %(value)s)."),
        }
        return texts.get(self.code, self.code) % {"value": self.value}


def is_credential_error(error: SendError) -> bool:
    return error.status in CREDENTIAL_STATUSES or "login refused" in error.reason.lower()


def _option(channel: Channel, name: str) -> str:
    options = channel.options if isinstance(channel.options, dict) else {}
    value = options.get(name)
    return "" if value is None else str(value).strip()


def expected_interval(channel: Channel) -> timedelta | None:
    """How long the channel may stay quiet; None when it may stay quiet for ever."""
    configured = _option(channel, "expected_event_hours")
    if configured:
        try:
            hours = float(configured)
        except ValueError:
            log.warning("channel.health_bad_option channel=%s option=expected_event_hours")
        else:
            return timedelta(hours=hours) if hours > 0 else None
    adapter = ADAPTERS.get(channel.kind)
    is_polled_mail = (
        channel.kind == ChannelKind.EMAIL
        and adapter is not None
        and bool(_option(channel, "imap_host"))
    )
    return POLLED_MAIL_INTERVAL if is_polled_mail else DEFAULT_INTERVAL


def credentials_expire_at(channel: Channel) -> datetime | None:
    raw = _option(channel, "credentials_expire_at")
    if not raw:
        return None
    moment = parse_datetime(raw)
    if moment is None and (day := parse_date(raw)) is not None:
        moment = datetime(day.year, day.month, day.day)  # noqa: DTZ001 -- made aware below
    if moment is None:
        log.warning("channel.health_bad_option channel=%s option=credentials_expire_at", channel.pk)
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def check_channel(channel: Channel, *, now: datetime) -> list[Problem]:
    """Every problem of one channel now; an empty list means it is working."""
    problems: list[Problem] = []
    interval = expected_interval(channel)
    quiet_since = channel.last_event_at or channel.created_at
    if interval is not None and quiet_since < now - interval:
        problems.append(Problem("silent", f"{interval.total_seconds() / 3600:g}"))

    deliveries = Delivery.objects.filter(channel=channel, created_at__gte=now - FAILING_WINDOW)
    failing = deliveries.filter(
        Q(status=DeliveryStatus.FAILED) | Q(status=DeliveryStatus.PENDING, attempts__gt=0)
    )
    first_failing = failing.order_by("created_at").values_list("created_at", flat=True).first()
    if first_failing is not None and (
        channel.last_send_at is None or channel.last_send_at < first_failing
    ):
        problems.append(Problem("not_sending"))

    since = now - ERROR_WINDOW
    errors = ChannelFailure.objects.filter(channel=channel, created_at__gte=since).count()
    successes = (
        InboundEvent.objects.filter(channel=channel, received_at__gte=since)
        .exclude(status="malformed")
        .count()
        + Delivery.objects.filter(channel=channel, sent_at__gte=since).count()
    )
    threshold = DEFAULT_ERROR_RATE_PERCENT
    if (configured := _option(channel, "error_rate_percent")).isdigit():
        threshold = int(configured)
    percent = round(100 * errors / (errors + successes)) if errors else 0
    if errors >= MIN_ERRORS and percent > threshold:
        problems.append(Problem("error_rate", str(percent)))

    expires = credentials_expire_at(channel)
    if expires is not None:
        shown = timezone.localtime(expires).date().isoformat()
        if expires <= now:
            problems.append(Problem("credentials_expired", shown))
        elif expires <= now + EXPIRY_WARNING:
            problems.append(Problem("credentials_expiring", shown))

    if channel.credentials_failed_at is not None and (
        channel.last_send_at is None or channel.last_send_at < channel.credentials_failed_at
    ):
        reason = (
            ChannelFailure.objects.filter(channel=channel, created_at__lte=now)
            .values_list("reason", flat=True)
            .first()
        )
        problems.append(Problem("credentials_refused", reason or ""))

    refused = channel.verification_failed_at
    if (
        refused is not None
        and refused >= now - FAILING_WINDOW
        and (channel.last_verified_at is None or channel.last_verified_at < refused)
    ):
        problems.append(
            Problem("not_verified", timezone.localtime(refused).strftime("%Y-%m-%d %H:%M"))
        )
    return problems


@dataclass(frozen=True)
class HealthChange:
    channel_id: int
    state: str
    problems: tuple[Problem, ...]


def update_channel_health(channel_id: int, *, now: datetime | None = None) -> HealthChange | None:
    """Check one channel and store its state; on a change, e-mail the administrators once."""
    now = now or timezone.now()
    with transaction.atomic():
        channel = Channel.objects.select_for_update().filter(pk=channel_id).first()
        if channel is None:
            return None
        problems = check_channel(channel, now=now) if channel.is_enabled else []
        state = HealthState.WARNING if problems else HealthState.OK
        stored = [{"code": problem.code, "value": problem.value} for problem in problems]
        if state == channel.health_state and stored == channel.health_problems:
            return None
        changed = state != channel.health_state
        channel.health_state = state
        channel.health_problems = stored
        fields = ["health_state", "health_problems"]
        if changed:
            channel.health_changed_at = now
            fields.append("health_changed_at")
        channel.save(update_fields=fields)
        if not changed:
            return None  # another problem on a channel already warned about: no second mail
        change = HealthChange(channel.pk, state, tuple(problems))
        transaction.on_commit(lambda: notify_admins(change))
    log.warning(
        "channel.health channel=%s state=%s problems=%s",
        channel_id,
        state,
        ",".join(problem.code for problem in problems) or "-",
    )
    return change


def check_all_channels(*, now: datetime | None = None) -> int:
    """The periodic check; returns how many channels changed state."""
    now = now or timezone.now()
    ids = list(Channel.objects.order_by("pk").values_list("pk", flat=True))
    return sum(1 for pk in ids if update_channel_health(pk, now=now) is not None)


def record_credentials_refused(channel_id: int, error: SendError) -> None:
    """A refused token or password warns at once, not at the next periodic check."""
    if not is_credential_error(error):
        return
    Channel.objects.filter(pk=channel_id).update(credentials_failed_at=timezone.now())
    update_channel_health(channel_id)


def record_webhook_verified(channel_id: int, *, is_verified: bool) -> None:
    """A webhook request passed (or failed) its signature check: one column, never a row, so
    that a flood of forged requests stores nothing."""
    field = "last_verified_at" if is_verified else "verification_failed_at"
    # One hot row, many requests: a process writes the same outcome at most once a second
    # (an outcome that differs from its last one is always written).
    now = time.monotonic()
    last = _verification_noted.get(channel_id)
    if last is not None and last[0] == field and now - last[1] < VERIFICATION_RESOLUTION_S:
        return
    _verification_noted[channel_id] = (field, now)
    Channel.objects.filter(pk=channel_id).update(**{field: timezone.now()})


VERIFICATION_RESOLUTION_S = 1.0
_verification_noted: dict[int, tuple[str, float]] = {}  # channel -> (column, time.monotonic())


def get_problems(channel: Channel) -> list[Problem]:
    stored = channel.health_problems if isinstance(channel.health_problems, list) else []
    return [
        Problem(str(item.get("code", "")), str(item.get("value", "")))
        for item in stored
        if isinstance(item, dict)
    ]


def list_warnings() -> list[tuple[Channel, list[Problem]]]:
    """Channels in warning, for the admin index."""
    channels = Channel.objects.filter(health_state=HealthState.WARNING, is_enabled=True)
    return [(channel, get_problems(channel)) for channel in channels.order_by("kind", "name")]


def _admin_language(user: User) -> str:
    agent = getattr(user, "agent", None)
    languages = agent.languages if agent is not None else []
    codes = {code for code, _name in settings.LANGUAGES}
    chosen = next((code for code in languages if code in codes), settings.LANGUAGE_CODE)
    return str(chosen)[:2]


def notify_admins(change: HealthChange) -> int:
    """One e-mail per state change to every administrator with an address; returns the count."""
    channel = Channel.objects.filter(pk=change.channel_id).first()
    if channel is None:
        return 0
    admins = User.objects.filter(is_superuser=True, is_active=True).exclude(email="")
    by_language: dict[str, list[str]] = {}
    for admin in admins.select_related("agent").order_by("pk"):
        by_language.setdefault(_admin_language(admin), []).append(admin.email)
    url = f"{settings.BASE_URL}/admin/schwarmdesk_channels/channel/{channel.pk}/change/"
    sent = 0
    for language, addresses in sorted(by_language.items()):
        with translation.override(language):
            name = str(channel)
            if change.state == HealthState.WARNING:
                subject = _("Channel warning: %(channel)s") % {"channel": name}
                lines = [
                    _("The channel %(channel)s needs attention:") % {"channel": name},
                    "",
                    *[f"- {problem.describe()}" for problem in change.problems],
                ]
            else:
                subject = _("Channel working again: %(channel)s") % {"channel": name}
                lines = [_("The channel %(channel)s is working again.") % {"channel": name}]
            body = "\n".join([*lines, "", url, ""])
        EmailMessage(subject=subject, body=body, to=addresses).send()
        sent += 1
    log.info("channel.health_mailed channel=%s state=%s mails=%s", channel.pk, change.state, sent)
    return sent
