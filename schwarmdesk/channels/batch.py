"""The worker's batch path for raw inbound events: accept now, parse and store many at once.

``accept`` is what a webhook needs to answer: the verified raw body is kept (idempotent on its
SHA-256) with status ``received`` once it parses, and a worker is woken after commit.
``process_received`` takes up to ``INGEST_BATCH_SIZE`` received events in one transaction (on
PostgreSQL with ``SKIP LOCKED``, so several workers share the backlog), parses them again
(pure and cheap) and stores their messages with a handful of queries per batch instead of a
dozen per message. The transaction is the unit of work: a worker killed half-way leaves every
event of its batch ``received``, and the next run processes it exactly once.

The bulk path covers the common chat message (a sender identity of the channel's own kind,
threaded by the channel's thread key). Anything else (e-mail, attachments, replies to a
specific message, references, case numbers, identities of another kind) goes through
``conversations.actions.receive`` one by one in the same transaction, so both paths give the
same result. Counters, search indexing and triage of the batch are queued as one task after
commit (``channels.tasks.follow_up_received_task``), like ``receive`` queues them per message.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, NamedTuple

from django.conf import settings
from django.db import IntegrityError, OperationalError, connections, router, transaction
from django.db.models import BinaryField, DateTimeField, Field, JSONField, Model
from django.utils import timezone

from schwarmdesk.channels.actions import KEPT_HEADERS, get_adapter, process_event
from schwarmdesk.channels.adapters.base import (
    ChannelAdapter,
    Ignored,
    InboundMessage,
    InboundRequest,
    ParseError,
)
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.channels.models import (
    Channel,
    EventStatus,
    InboundEvent,
    MessageRoute,
)
from schwarmdesk.conversations.actions import CONTINUABLE_STATUSES, receive, set_status
from schwarmdesk.conversations.models import Conversation, Direction, Message, Status, Visibility
from schwarmdesk.core.html import sanitize_html
from schwarmdesk.people.actions import normalize_external_id
from schwarmdesk.people.evidence import EvidenceKind
from schwarmdesk.people.models import ChannelIdentity, Customer

log = logging.getLogger(__name__)

FOLLOW_UP_CHUNK = 500  # messages per re-queued follow-up task
RETRIES = 3  # a batch that lost a race (same identity or message stored meanwhile) runs again
DEADLOCK_STATES = frozenset({"40P01", "40001"})  # PostgreSQL: deadlock, serialization failure
WAKE_DELAY = timedelta(milliseconds=50)
LAST_EVENT_RESOLUTION = timedelta(seconds=1)
MAX_PARAMETERS = 30_000  # per INSERT statement (SQLite allows 32,766, PostgreSQL 65,535)
UNNEST_ROWS = 5_000  # rows per INSERT ... unnest statement (PostgreSQL)
FOLLOW_UP_GRACE = timedelta(minutes=5)  # a follow-up task not done by then was lost
FOLLOW_UP_HORIZON = timedelta(days=1)
_wake_lock = threading.Lock()
_wake_armed = False
_last_event_noted: dict[int, float] = {}  # channel id -> time.monotonic() of the last write


@dataclass(frozen=True)
class Accepted:
    event: InboundEvent | None  # None: nothing for us, not kept
    is_duplicate: bool = False


def accept(
    channel: Channel, req: InboundRequest, *, adapter: ChannelAdapter | None = None
) -> Accepted:
    """Keep a verified request's raw body for the worker; raise ``ParseError`` when malformed.

    The same body again is the same event (one row). A malformed body is kept as malformed; an
    event with nothing for us is not kept; an ignored one (auto-reply, bounce) is handled at
    once by ``process_event``.
    """
    adapter = adapter or get_adapter(channel)
    try:
        has_messages, is_refused = any(True for _ in adapter.parse(req)), False
    except (ParseError, Ignored):
        has_messages, is_refused = True, True  # kept below; process_event records why
    if not has_messages:
        return Accepted(event=None)
    event = InboundEvent(
        channel=channel,
        body=req.body,
        body_sha256=hashlib.sha256(req.body).hexdigest(),
        headers={name: value for name, value in req.headers.items() if name in KEPT_HEADERS},
    )
    if not _insert_event(event):
        return Accepted(event=None, is_duplicate=True)
    _note_event_received(channel.pk)
    if is_refused:
        process_event(event, adapter=adapter, req=req)  # raises ParseError when malformed
    else:
        transaction.on_commit(queue_processing)
    return Accepted(event=event)


INSERTED_FIELDS = (
    "channel",
    "body",
    "body_sha256",
    "headers",
    "status",
    "message_count",
    "error",
    "received_at",
)


def _insert_event(event: InboundEvent) -> bool:
    """INSERT the row in one statement (the webhook's hot path); False when the body is known.

    The same as ``event.save(force_insert=True)`` in a savepoint, without the ORM's statement
    compilation and transaction bookkeeping, which cost more than the insert itself.
    """
    connection = connections[InboundEvent.objects.db]
    concrete, sql = _event_insert(connection.alias)
    values = [
        field.get_db_prep_save(field.pre_save(event, add=True), connection) for field in concrete
    ]
    try:
        with contextlib.ExitStack() as stack:
            if connection.in_atomic_block:  # else the statement is its own transaction
                stack.enter_context(transaction.atomic())
            with connection.cursor() as cursor:
                cursor.execute(sql, values)
                event.pk = cursor.fetchone()[0]
    except IntegrityError:
        return False
    event._state.adding = False
    return True


@functools.cache
def _event_insert(alias: str) -> tuple[list[Field[Any, Any]], str]:
    """The inserted fields and the INSERT statement, once per database."""
    connection = connections[alias]
    fields = [InboundEvent._meta.get_field(name) for name in INSERTED_FIELDS]
    concrete = [field for field in fields if isinstance(field, Field)]
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in concrete)
    table = connection.ops.quote_name(InboundEvent._meta.db_table)
    placeholders = ", ".join(["%s"] * len(concrete))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) RETURNING id"  # noqa: S608 -- names from the model
    return concrete, sql


def _note_event_received(channel_id: int) -> None:
    """Channel health's "last event received", written at most once a second per process."""
    now = time.monotonic()
    if now - _last_event_noted.get(channel_id, -1e9) < LAST_EVENT_RESOLUTION.total_seconds():
        return
    _last_event_noted[channel_id] = now
    Channel.objects.filter(pk=channel_id).update(last_event_at=timezone.now())


def queue_processing() -> None:
    """Wake a worker after commit; many webhooks in a burst share one wake-up.

    The first commit arms a timer; the timer enqueues one task ``WAKE_DELAY`` later, after
    every commit that found it armed, so each such event is seen by that task. (A process that
    exits before its timer fires leaves its events to the periodic sweep, a minute at most.)
    """
    global _wake_armed  # noqa: PLW0603 -- one timer per process
    from schwarmdesk.core.queue import get_huey  # noqa: PLC0415

    if get_huey().immediate:
        _wake()
        return
    with _wake_lock:
        if _wake_armed:
            return
        _wake_armed = True
    timer = threading.Timer(WAKE_DELAY.total_seconds(), _wake)
    timer.daemon = True
    timer.start()


def _wake() -> None:
    global _wake_armed  # noqa: PLW0603 -- one timer per process
    from schwarmdesk.channels.tasks import process_received_task  # noqa: PLC0415

    with _wake_lock:
        _wake_armed = False
    process_received_task()


@dataclass
class BatchResult:
    events: int = 0  # events taken from the backlog
    messages: list[int] = field(default_factory=list)  # new messages stored
    duplicates: int = 0  # messages already stored (re-delivered under another envelope)
    malformed: int = 0
    conversations: set[int] = field(default_factory=set)


def process_received(limit: int | None = None) -> BatchResult:
    """Process up to ``limit`` received events in one transaction; see the module docstring.

    By default as many as the setting ``INGEST_BATCH_SIZE`` says.
    """
    limit = limit or settings.INGEST_BATCH_SIZE
    try:
        return _with_retries(limit)
    except Exception:  # one event the batch cannot store must not hold up all the others
        log.exception("channel.batch_failed events=%s: one by one", limit)
    return _process_one_by_one(limit)


def _with_retries(limit: int, only: int | None = None) -> BatchResult:
    for attempt in range(1, RETRIES + 1):
        try:
            return _process_batch(limit, only=only)
        except (IntegrityError, OperationalError) as error:
            # a race with another worker: a row it stored meanwhile, or a deadlock PostgreSQL
            # broke by rolling this batch back; either way nothing of the batch is kept
            if attempt == RETRIES or not _is_race(error):
                raise
            log.info("channel.batch_retry attempt=%s reason=%s", attempt, type(error).__name__)
    raise AssertionError("unreachable")  # pragma: no cover


def _is_race(error: IntegrityError | OperationalError) -> bool:
    if isinstance(error, IntegrityError):
        return True
    return getattr(error.__cause__, "sqlstate", None) in DEADLOCK_STATES


def _process_one_by_one(limit: int) -> BatchResult:
    """Each event in its own transaction; one that still fails is kept with the error."""
    total = BatchResult()
    waiting = InboundEvent.objects.filter(status=EventStatus.RECEIVED).order_by("pk")
    for pk in list(waiting.values_list("pk", flat=True)[:limit]):
        try:
            result = _with_retries(1, only=pk)
        except Exception as error:
            log.exception("channel.event_failed event=%s", pk)
            reason = f"could not be stored: {type(error).__name__}: {error}"[:300]
            InboundEvent.objects.filter(pk=pk, status=EventStatus.RECEIVED).update(
                status=EventStatus.MALFORMED, error=reason, processed_at=timezone.now()
            )
            total.events += 1
            total.malformed += 1
            continue
        total.events += result.events
        total.messages.extend(result.messages)
        total.duplicates += result.duplicates
        total.malformed += result.malformed
        total.conversations.update(result.conversations)
    return total


def process_all_received(limit: int | None = None) -> int:
    """Work the backlog off while batches come full; returns how many events were processed.

    After a partial batch the task ends: events arriving meanwhile have armed the next wake-up
    (``WAKE_DELAY`` later), so they are taken together instead of a few at a time.
    """
    limit = limit or settings.INGEST_BATCH_SIZE
    total = 0
    while (done := process_received(limit).events) > 0:
        total += done
        if done < limit:
            break
    return total


def _process_batch(limit: int, *, only: int | None = None) -> BatchResult:
    result = BatchResult()
    waiting = InboundEvent.objects.filter(status=EventStatus.RECEIVED)
    if only is not None:
        waiting = waiting.filter(pk=only)
    if not waiting.exists():
        return result  # a plain read: an idle worker takes no write lock (SQLite)
    with transaction.atomic():
        locked = waiting.select_for_update(skip_locked=True).order_by("pk")[:limit]
        events = [
            RawEvent(*row) for row in locked.values_list("pk", "channel_id", "body", "headers")
        ]
        if not events:
            return result
        result.events = len(events)
        channels = {c.pk: c for c in Channel.objects.filter(pk__in={e.channel_id for e in events})}
        adapters = {pk: get_adapter(channel) for pk, channel in channels.items()}
        simple: list[tuple[RawEvent, InboundMessage]] = []
        counts: dict[int, int] = {}
        for event in events:
            _parse_event(event, adapters[event.channel_id], simple, counts, result)
        stored = _store_simple(simple, result)
        _mark_processed(events, counts, stored)
        message_ids, conversation_ids = list(result.messages), sorted(result.conversations)
        if message_ids:
            transaction.on_commit(lambda: _queue_follow_up(message_ids, conversation_ids))
    log.info(
        "channel.batch events=%s messages=%s duplicates=%s malformed=%s",
        result.events,
        len(result.messages),
        result.duplicates,
        result.malformed,
    )
    return result


def insert_rows(
    model: type[Model], rows: Sequence[dict[str, Any]], *, ignore_conflicts: bool = False
) -> list[int]:
    """INSERT many rows of ``model`` in few statements; returns their new primary keys in order
    (nothing with ``ignore_conflicts``, which skips rows a unique constraint refuses).

    See :func:`insert_returning`.
    """
    returning = () if ignore_conflicts else ("id",)
    inserted = insert_returning(model, rows, ignore_conflicts=ignore_conflicts, returning=returning)
    return [row[0] for row in inserted]


def insert_returning(
    model: type[Model],
    rows: Sequence[dict[str, Any]],
    *,
    ignore_conflicts: bool = False,
    returning: Sequence[str] = ("id",),
) -> list[tuple[Any, ...]]:
    """INSERT many rows of ``model`` in few statements; the ``returning`` columns of the rows
    inserted, in order (with ``ignore_conflicts``, rows a unique constraint refuses are
    skipped and not returned).

    The rows give attribute names (``conversation_id``); every other concrete field gets its
    default (``auto_now``/``auto_now_add``: now). The same rows as ``bulk_create`` writes, without
    building a model instance per row and compiling every value through the ORM, which costs
    more than the INSERT itself. Values of fields that need the database's form (dates, JSON,
    binary) go through the field's own ``get_db_prep_save``. On PostgreSQL the values go as one
    array per column (``unnest``) with server-side binding: the statement stays short, so
    neither psycopg nor the server parses thousands of placeholders or quoted literals.
    """
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = _defaults(fields, set(rows[0]), now)
    prepared = (JSONField, DateTimeField, BinaryField)
    converters = [
        (f.attname, partial(f.get_db_prep_save, connection=connection))
        if isinstance(f, prepared)
        else (f.attname, None)
        for f in fields
    ]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if returning:
        tail += " RETURNING " + ", ".join(connection.ops.quote_name(name) for name in returning)
    inserted: list[tuple[Any, ...]] = []
    if connection.vendor == "postgresql":
        import psycopg  # noqa: PLC0415 -- PostgreSQL only

        types = ", ".join(f"%s::{str(f.db_type(connection)).split('(')[0]}[]" for f in fields)
        sql = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({types}){tail}"  # noqa: S608 -- model names
        connection.ensure_connection()
        # Django's exceptions (IntegrityError...) for psycopg's, as its own cursors raise them
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            for start in range(0, len(rows), UNNEST_ROWS):
                params = _parameters(rows[start : start + UNNEST_ROWS], converters, defaults)
                cursor.execute(sql, [params[n :: len(fields)] for n in range(len(fields))])
                if returning:
                    inserted.extend(cursor.fetchall())
        return inserted
    per_statement = max(1, MAX_PARAMETERS // len(fields))
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = _parameters(chunk, converters, defaults)
            values = ", ".join([row_sql] * len(chunk))
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values}{tail}", params)  # noqa: S608 -- model names
            if returning:
                inserted.extend(cursor.fetchall())
    return inserted


def _defaults(fields: Sequence[Field[Any, Any]], given: set[str], now: datetime) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for f in fields:
        if f.attname in given:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        else:
            defaults[f.attname] = f.get_default()
    return defaults


def _parameters(
    rows: Sequence[dict[str, Any]],
    converters: Sequence[tuple[str, Callable[[Any], Any] | None]],
    defaults: dict[str, Any],
) -> list[Any]:
    params: list[Any] = []
    last: dict[str, tuple[Any, Any]] = {}  # the same "now" in every row: converted once
    for row in rows:
        for attname, convert in converters:
            value = row[attname] if attname in row else defaults[attname]
            if convert is not None:
                seen = last.get(attname)
                if seen is not None and seen[0] is value:
                    value = seen[1]
                else:
                    converted = convert(value)
                    last[attname] = (value, converted)
                    value = converted
            params.append(value)
    return params


class RawEvent(NamedTuple):
    """What the batch reads of an event (the model instance only where one is needed)."""

    pk: int
    channel_id: int
    body: bytes | memoryview  # memoryview from PostgreSQL
    headers: dict[str, str]


def _parse_event(
    event: RawEvent,
    adapter: ChannelAdapter,
    simple: list[tuple[RawEvent, InboundMessage]],
    counts: dict[int, int],
    result: BatchResult,
) -> None:
    req = InboundRequest(method="POST", body=bytes(event.body), headers=event.headers)
    try:
        parsed = list(adapter.parse(req))
    except (ParseError, Ignored):
        try:  # the one-by-one path records why (and handles bounces), in this transaction
            process_event(InboundEvent.objects.get(pk=event.pk), adapter=adapter, req=req)
        except ParseError as error:
            result.malformed += 1
            log.warning("channel.event_malformed event=%s reason=%s", event.pk, error)
        return  # recorded as malformed or ignored, not marked processed below
    counts[event.pk] = 0
    for item in parsed:
        if _is_simple(item):
            simple.append((event, item))
        else:
            message = receive(None, channel_id=event.channel_id, message=item)
            counts[event.pk] += 1
            result.messages.append(message.pk)
            result.conversations.add(message.conversation_id)


def _is_simple(item: InboundMessage) -> bool:
    return (
        item.kind != ChannelKind.EMAIL
        and not item.attachments
        and not item.references
        and item.case_number is None
        and not item.reply_to_external_id
        and item.sender.identity_kind in ("", item.kind)
        and bool(item.text.strip() or item.html.strip())
        and bool(normalize_external_id(item.kind, item.sender.external_id))
        and bool(item.external_id.strip())
    )


def _store_simple(
    items: Sequence[tuple[RawEvent, InboundMessage]], result: BatchResult
) -> dict[int, int]:
    """Store the bulk path's messages; returns how many each event gave (duplicates included)."""
    per_event: dict[int, int] = {}
    if not items:
        return per_event
    now = timezone.now()
    # 1. customers by channel identity; an unknown identity becomes a new customer. This takes
    # the customers' row locks first (or waits for another worker's new identity), so that
    # whatever another worker stored for them is committed and seen by the check below.
    customers = _customers_for(items)
    # 2. idempotency on (channel kind, external id): stored before, or twice in this batch
    keys = {(item.kind, item.external_id.strip()) for _, item in items}
    existing = set(
        Message.objects.filter(
            channel_kind__in={kind for kind, _ in keys},
            external_id__in={external_id for _, external_id in keys},
        ).values_list("channel_kind", "external_id")
    )
    fresh: list[tuple[RawEvent, InboundMessage]] = []
    seen: set[tuple[str, str]] = set()
    for event, item in items:
        key = (item.kind, item.external_id.strip())
        per_event[event.pk] = per_event.get(event.pk, 0) + 1
        if key in existing or key in seen:
            result.duplicates += 1
            continue
        seen.add(key)
        fresh.append((event, item))
    if not fresh:
        return per_event
    # 3. conversations: the customer's continuable one on this channel and thread, else new
    conversations = _conversations_for(fresh, customers, now)
    # 4. messages and their routes
    message_ids = insert_rows(
        Message,
        [
            {
                "conversation_id": conversations[_thread(event, item, customers)],
                "direction": str(Direction.INBOUND),
                "visibility": str(Visibility.PUBLIC if item.is_public else Visibility.PRIVATE),
                "channel_kind": item.kind,
                "external_id": item.external_id.strip(),
                "author_customer_id": customers[_identity_key(item)],
                "body_text": item.text,
                "body_html": sanitize_html(item.html) if item.html else "",
                "received_at": now,
            }
            for event, item in fresh
        ],
    )
    insert_rows(
        MessageRoute,
        [
            {
                "message_id": message_id,
                "channel_id": event.channel_id,
                "thread_key": item.thread_key,
                "reply_context": dict(item.reply_context),
            }
            for message_id, (event, item) in zip(message_ids, fresh, strict=True)
        ],
    )
    result.messages.extend(message_ids)
    result.conversations.update(
        conversations[_thread(event, item, customers)] for event, item in fresh
    )
    return per_event


def _identity_key(item: InboundMessage) -> tuple[str, str]:
    kind = item.sender.identity_kind or item.kind
    return kind, normalize_external_id(kind, item.sender.external_id)


def _customers_for(
    items: Sequence[tuple[RawEvent, InboundMessage]],
) -> dict[tuple[str, str], int]:
    keys = {_identity_key(item) for _, item in items}
    found = _identity_owners(keys)
    _lock_customers(set(found.values()))
    senders: dict[tuple[str, str], InboundMessage] = {}
    for _, item in items:
        key = _identity_key(item)
        if key not in found:
            senders.setdefault(key, item)
    if not senders:
        return found
    new_keys = sorted(senders)  # one order for every worker: they wait, never deadlock
    created = insert_rows(
        Customer,
        [
            {
                "display_name": (
                    item.sender.display_name or item.sender.handle or item.sender.external_id
                ).strip()[:200],
                "language": item.sender.language if item.sender.language in ("de", "en") else "de",
            }
            for item in (senders[key] for key in new_keys)
        ],
    )
    now = timezone.now()
    # Another worker may store the same new identity at the same time: its row wins (the
    # INSERT waits for it and skips the conflict), ours is dropped with its empty customer.
    insert_rows(
        ChannelIdentity,
        [
            {
                "customer_id": customer_id,
                "kind": kind,
                "external_id": external_id,
                "handle": senders[(kind, external_id)].sender.handle,
                "is_verified": senders[(kind, external_id)].sender.is_verified,
                "link_evidence": str(EvidenceKind.FIRST_CONTACT),
                "linked_at": now,
            }
            for customer_id, (kind, external_id) in zip(created, new_keys, strict=True)
        ],
        ignore_conflicts=True,
    )
    owners = _identity_owners(set(new_keys))
    ours = set(created)
    lost = {key: owner for key, owner in owners.items() if owner not in ours}
    if lost:
        Customer.objects.filter(pk__in=ours - set(owners.values())).delete()
        _lock_customers(set(lost.values()))
        log.info("channel.batch_identity_race identities=%s", len(lost))
    found.update(owners)
    return found


def _identity_owners(keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    owners: dict[tuple[str, str], int] = {}
    for kind in {kind for kind, _ in keys}:
        ids = [external_id for k, external_id in keys if k == kind]
        rows = ChannelIdentity.objects.filter(kind=kind, external_id__in=ids)
        for external_id, customer_id in rows.values_list("external_id", "customer_id"):
            owners[(kind, external_id)] = customer_id
    return owners


def _lock_customers(customer_ids: set[int]) -> None:
    """One batch at a time threads a customer's messages (row locks; SQLite has one writer)."""
    if customer_ids:
        locked = Customer.objects.select_for_update().filter(pk__in=sorted(customer_ids))
        list(locked.order_by("pk").values_list("pk", flat=True))


ThreadKey = tuple[int, int, str]  # customer, channel, thread key


def _thread(
    event: RawEvent, item: InboundMessage, customers: dict[tuple[str, str], int]
) -> ThreadKey:
    return customers[_identity_key(item)], event.channel_id, item.thread_key


def _conversations_for(
    items: Sequence[tuple[RawEvent, InboundMessage]],
    customers: dict[tuple[str, str], int],
    now: datetime,
) -> dict[ThreadKey, int]:
    threads = {_thread(event, item, customers) for event, item in items}
    found: dict[ThreadKey, int] = {}
    statuses: dict[int, str] = {}
    rows = (
        Conversation.objects.filter(
            customer_id__in={customer for customer, _, _ in threads},
            status__in=CONTINUABLE_STATUSES,
            messages__route__channel_id__in={channel for _, channel, _ in threads},
            messages__route__thread_key__in={key for _, _, key in threads},
        )
        .values_list(
            "pk",
            "customer_id",
            "messages__route__channel_id",
            "messages__route__thread_key",
            "status",
        )
        .distinct()
    )
    for pk, customer_id, channel_id, thread_key, status in rows:
        key = (customer_id, channel_id, thread_key)
        if key in threads and pk > found.get(key, 0):
            found[key] = pk
            statuses[pk] = status
    for pk in {pk for pk in found.values() if statuses[pk] != Status.OPEN}:
        set_status(None, Conversation.objects.get(pk=pk), status=Status.OPEN)
    first: dict[ThreadKey, InboundMessage] = {}
    for event, item in items:
        key = _thread(event, item, customers)
        if key not in found:
            first.setdefault(key, item)
    if first:
        new_keys = list(first)
        created = insert_rows(
            Conversation,
            [
                {
                    "customer_id": key[0],
                    "origin_channel": first[key].kind,
                    "subject": (first[key].subject or _first_line(first[key].text)[:80]).strip()[
                        :300
                    ],
                    "language": first[key].sender.language,
                }
                for key in new_keys
            ],
        )
        found.update(zip(new_keys, created, strict=True))
    return found


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _mark_processed(
    events: Sequence[RawEvent], counts: dict[int, int], bulk_counts: dict[int, int]
) -> None:
    now = timezone.now()
    by_count: dict[int, list[int]] = {}
    for event in events:
        if event.pk not in counts:
            continue  # malformed or ignored: already recorded
        total = counts[event.pk] + bulk_counts.get(event.pk, 0)
        by_count.setdefault(total, []).append(event.pk)
    for total, ids in by_count.items():
        InboundEvent.objects.filter(pk__in=ids).update(
            status=EventStatus.PROCESSED, error="", message_count=total, processed_at=now
        )


def _queue_follow_up(message_ids: list[int], conversation_ids: list[int]) -> None:
    from schwarmdesk.channels.tasks import follow_up_received_task  # noqa: PLC0415

    follow_up_received_task(message_ids, conversation_ids)


def follow_up_received(message_ids: Sequence[int], conversation_ids: Sequence[int]) -> int:
    """After a batch: counters and search entries of its conversations, triage of its messages.

    Idempotent: counters are recounted, the search entry rewritten, and a message that already
    has its triage is skipped, so a task run again (after a killed worker) does no work twice.
    """
    from schwarmdesk.automation.actions import handle_message  # noqa: PLC0415
    from schwarmdesk.conversations.actions import recompute_counters  # noqa: PLC0415
    from schwarmdesk.conversations.indexing import index_conversation  # noqa: PLC0415

    for conversation_id in conversation_ids:
        conversation = recompute_counters(conversation_id)
        if conversation is not None:
            index_conversation(conversation)
    untriaged = Message.objects.filter(pk__in=message_ids, triage__isnull=True).order_by("pk")
    count = 0
    for message_id in untriaged.values_list("pk", flat=True):
        handle_message(message_id)
        count += 1
    return count


def follow_up_missing(*, grace: timedelta = FOLLOW_UP_GRACE) -> int:
    """Queue the follow-ups of stored inbound messages that never got their triage.

    A worker killed while running a follow-up task loses the task (the queue only wakes
    workers); the rows say what is missing. Messages younger than ``grace`` are left to the
    task queued with them. Returns how many messages were queued again.
    """
    now = timezone.now()
    missing = list(
        Message.objects.filter(
            direction=Direction.INBOUND,
            route__isnull=False,
            triage__isnull=True,
            created_at__gte=now - FOLLOW_UP_HORIZON,
            created_at__lte=now - grace,
        )
        .order_by("pk")
        .values_list("pk", "conversation_id")[: FOLLOW_UP_CHUNK * 10]
    )
    for start in range(0, len(missing), FOLLOW_UP_CHUNK):
        chunk = missing[start : start + FOLLOW_UP_CHUNK]
        _queue_follow_up([pk for pk, _ in chunk], sorted({c for _, c in chunk}))
    if missing:
        log.warning("channel.follow_up_requeued messages=%s", len(missing))
    return len(missing)
