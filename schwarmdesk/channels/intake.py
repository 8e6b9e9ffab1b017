"""Queued webhooks under the ASGI server: verify, keep the raw body, answer; commits shared.

With ``SCHWARMDESK_WEBHOOK_PROCESSING=queued`` the ASGI application
(``schwarmdesk.asgi``) answers ``POST /channels/<kind>/<id>/webhook/`` here instead of in
Django's view. It runs the same guard chain, one log line per exit: host 400 → size 413 →
unknown channel 404 → ``verify`` 401/403, storing nothing → parse check: 400 malformed (the
body kept as malformed), 200 nothing for us → raw body kept → 200 ``accepted`` (or
``duplicate``). A worker then parses and stores the messages in batches (``channels.batch``).

What a webhook costs is what makes a burst slow, so this path does the least per request. It
skips Django's middleware and the thread it gives every request, and it reads the channel at
most once a second (a signature that fails is checked again against a fresh read, so a new
secret works at once). Its commits are shared: one writer thread per web process takes every
body waiting and INSERTs them in one statement, which is one commit, and answers each request
only after that commit. Concurrent requests so share one transaction instead of queueing for
one each, and nothing is answered ``accepted`` before it is durable. Anything unusual
(malformed, auto-reply, a failing database) takes the ordinary path,
:func:`schwarmdesk.channels.batch.accept`, on the same thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import queue
import re
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from logging import Logger
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections
from django.http.request import split_domain_port, validate_host
from django.urls import reverse

from schwarmdesk.channels.actions import KEPT_HEADERS, MAX_EVENT_BYTES, get_adapter
from schwarmdesk.channels.adapters import ADAPTERS
from schwarmdesk.channels.adapters.base import (
    ChannelAdapter,
    HandshakeRefused,
    Ignored,
    InboundRequest,
    ParseError,
    SignatureError,
)
from schwarmdesk.channels.batch import (
    _note_event_received,
    accept,
    insert_returning,
    queue_processing,
)
from schwarmdesk.channels.health import record_webhook_verified
from schwarmdesk.channels.models import Channel, InboundEvent

log = logging.getLogger(__name__)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
T = TypeVar("T")

CHANNEL_TTL_S = 1.0  # a channel (enabled, secrets) is read at most this often per process
MAX_GROUP = 500  # bodies in one shared INSERT


def log_exit(
    status: int, reason: str, kind: str, channel_id: int, size: int, *, logger: Logger = log
) -> None:
    """The guard chain's one log line per exit (the Django view writes it to its own logger)."""
    level = logging.INFO if status < 400 else logging.WARNING
    logger.log(
        level,
        "webhook.exit kind=%s channel=%s status=%s reason=%s bytes=%s",
        kind,
        channel_id,
        status,
        reason,
        size,
    )


# ---------------------------------------------------------------------------------------------
# The writer thread: group commit


@dataclass(frozen=True)
class _Pending:
    channel_id: int
    body: bytes
    body_sha256: str
    headers: dict[str, str]
    loop: asyncio.AbstractEventLoop
    done: asyncio.Future[bool]  # True: kept; False: the same body was kept before


@dataclass(frozen=True)
class _Job:
    work: Callable[[], Any]
    done: Future[Any] = field(default_factory=Future)


class EventWriter:
    """One thread per process that owns the database work of the webhooks.

    ``keep`` hands it a verified body and returns after the commit that made the body durable
    (``False``: the same body was kept before). Bodies that arrive while a
    commit is running wait for the next one and go in together.
    """

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Pending | _Job] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.groups = 0  # commits made, for tests and the bench

    async def keep(self, channel_id: int, body: bytes, headers: dict[str, str]) -> bool:
        loop = asyncio.get_running_loop()
        pending = _Pending(
            channel_id, body, hashlib.sha256(body).hexdigest(), headers, loop, loop.create_future()
        )
        self._put(pending)
        return await pending.done

    def run(self, work: Callable[[], T]) -> Future[T]:
        """Run ``work`` on the writer thread (its database connection), after waiting bodies."""
        job: _Job = _Job(work)
        self._put(job)
        return job.done

    def _put(self, item: _Pending | _Job) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._loop, name="webhook-writer", daemon=True
                )
                self._thread.start()
        self._queue.put(item)

    def _loop(self) -> None:
        while True:
            items = [self._queue.get()]
            while len(items) < MAX_GROUP:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            pending = [item for item in items if isinstance(item, _Pending)]
            if pending:
                self._write(pending)
            for job in (item for item in items if isinstance(item, _Job)):
                try:
                    job.done.set_result(job.work())
                except BaseException as error:  # handed to the request that asked
                    job.done.set_exception(error)

    def _write(self, pending: Sequence[_Pending]) -> None:
        try:
            kept = insert_events(pending)
        except Exception as error:
            log.exception("webhook.group_failed bodies=%s", len(pending))
            connections[InboundEvent.objects.db].close()  # the next group connects afresh
            _settle(pending, error)
            return
        self.groups += 1
        first: set[tuple[int, str]] = set()
        outcomes: list[bool] = []
        for item in pending:
            key = (item.channel_id, item.body_sha256)
            outcomes.append(key in kept and key not in first)
            first.add(key)
        _settle(pending, outcomes)
        for channel_id in {item.channel_id for item in pending}:
            try:  # both notes are written at most once a second per process
                record_webhook_verified(channel_id, is_verified=True)
                _note_event_received(channel_id)
            except Exception:  # health notes must not fail a kept body
                log.exception("webhook.health_note_failed channel=%s", channel_id)
        if kept:
            queue_processing()


def _settle(pending: Sequence[_Pending], outcomes: Sequence[bool] | Exception) -> None:
    """Answer the waiting requests: one wake-up of each event loop for the whole group."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[bool], Any]]] = {}
    for number, item in enumerate(pending):
        outcome = outcomes if isinstance(outcomes, Exception) else outcomes[number]
        by_loop.setdefault(item.loop, []).append((item.done, outcome))
    for loop, settled in by_loop.items():
        with contextlib.suppress(RuntimeError):  # a loop closed meanwhile has nobody waiting
            loop.call_soon_threadsafe(_resolve, settled)


def _resolve(settled: Sequence[tuple[asyncio.Future[bool], Any]]) -> None:
    for future, outcome in settled:
        if future.done():  # the client hung up
            continue
        if isinstance(outcome, Exception):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)


def insert_events(pending: Sequence[_Pending]) -> set[tuple[int, str]]:
    """INSERT the bodies in one statement (one commit); returns the (channel, SHA-256) kept.

    A body already kept is skipped by the unique constraint, as ``accept`` skips it.
    """
    unique: dict[tuple[int, str], _Pending] = {}
    for item in pending:
        unique.setdefault((item.channel_id, item.body_sha256), item)
    rows = [
        {
            "channel_id": item.channel_id,
            "body": item.body,
            "body_sha256": item.body_sha256,
            "headers": item.headers,
        }
        for item in unique.values()
    ]
    # autocommit: the statement is its own transaction
    kept = insert_returning(
        InboundEvent, rows, ignore_conflicts=True, returning=("channel_id", "body_sha256")
    )
    return {(channel_id, sha) for channel_id, sha in kept}


_writer = EventWriter()


def get_writer() -> EventWriter:
    return _writer


# ---------------------------------------------------------------------------------------------
# Channels, read at most once a second


@dataclass(frozen=True)
class _Known:
    channel: Channel | None
    adapter: ChannelAdapter | None
    read_at: float


_known: dict[tuple[str, int], _Known] = {}


def _read_channel(kind: str, channel_id: int) -> _Known:
    channel = Channel.objects.filter(pk=channel_id, kind=kind, is_enabled=True).first()
    if kind not in ADAPTERS or channel is None or not ADAPTERS[kind].capabilities.has_webhook:
        return _Known(None, None, time.monotonic())
    return _Known(channel, get_adapter(channel), time.monotonic())


async def _channel(kind: str, channel_id: int, *, fresh: bool = False) -> _Known:
    known = _known.get((kind, channel_id))
    if fresh or known is None or time.monotonic() - known.read_at > CHANNEL_TTL_S:
        read = functools.partial(_read_channel, kind, channel_id)
        known = await asyncio.wrap_future(get_writer().run(read))
        _known[(kind, channel_id)] = known
    return known


def forget_channels() -> None:
    """Read every channel again on its next request (tests that change a channel)."""
    _known.clear()


# ---------------------------------------------------------------------------------------------
# The ASGI front


@functools.cache
def _webhook_path() -> re.Pattern[str]:
    example = reverse("channels:webhook", kwargs={"kind": "kind", "channel_id": 1})
    prefix, _, _ = example.partition("/kind/1/")
    return re.compile(
        re.escape(prefix) + r"/(?P<kind>[-a-zA-Z0-9_]+)/(?P<channel_id>[0-9]+)/webhook/\Z"
    )


def webhook_front(app: ASGIApp) -> ASGIApp:
    """Wrap Django's ASGI application: queued webhook POSTs are answered here, all else there."""

    async def front(scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope.get("method") == "POST"
            and settings.WEBHOOK_PROCESSING == "queued"
            and (match := _webhook_path().match(scope.get("path", ""))) is not None
        ):
            await handle_webhook(scope, receive, send, match["kind"], int(match["channel_id"]))
            return
        await app(scope, receive, send)

    return front


async def _answer(send: Send, status: int, reason: str) -> None:
    body = reason.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _is_allowed_host(headers: dict[str, str]) -> bool:
    domain, _ = split_domain_port(headers.get("host", ""))
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)


class _Gone(Exception):
    """The client hung up before its body arrived."""


async def _read_body(receive: Receive) -> bytes | None:
    """The request body; None when it grows past the size cap."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Gone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_EVENT_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def handle_webhook(  # noqa: PLR0911 -- one return per exit of the guard chain
    scope: Scope, receive: Receive, send: Send, kind: str, channel_id: int
) -> None:
    headers = {
        name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]
    }
    try:
        declared = int(headers.get("content-length") or 0)
    except ValueError:
        declared = 0
    if not _is_allowed_host(headers):
        log_exit(400, "bad host", kind, channel_id, declared)
        return await _answer(send, 400, "bad host")
    try:
        body = await _read_body(receive) if declared <= MAX_EVENT_BYTES else None
    except _Gone:
        log_exit(499, "client gone", kind, channel_id, declared)
        return None
    if body is None:
        log_exit(413, "too large", kind, channel_id, declared)
        return await _answer(send, 413, "too large")
    known = await _channel(kind, channel_id)
    req = InboundRequest("POST", body, headers, _query(scope))
    try:
        known = await _verified(known, req, kind, channel_id)
    except (SignatureError, HandshakeRefused) as error:
        await asyncio.wrap_future(
            get_writer().run(
                functools.partial(record_webhook_verified, channel_id, is_verified=False)
            )
        )
        log_exit(error.status, "not verified", kind, channel_id, len(body))
        return await _answer(send, error.status, "not verified")
    if known.channel is None or known.adapter is None:
        log_exit(404, "unknown channel", kind, channel_id, len(body))
        return await _answer(send, 404, "unknown channel")
    channel, adapter = known.channel, known.adapter
    try:
        has_messages = any(True for _ in adapter.parse(req))
    except (ParseError, Ignored):
        return await _refused(send, channel, adapter, req, kind)
    if not has_messages:
        log_exit(200, "ignored", kind, channel_id, len(body))
        return await _answer(send, 200, "ignored")
    kept_headers = {name: value for name, value in headers.items() if name in KEPT_HEADERS}
    try:
        is_new = await get_writer().keep(channel.pk, body, kept_headers)
    except Exception:  # logged by the writer; the platform delivers again later
        log_exit(503, "not stored", kind, channel_id, len(body))
        return await _answer(send, 503, "not stored")
    reason = "accepted" if is_new else "duplicate"
    log_exit(200, reason, kind, channel_id, len(body))
    return await _answer(send, 200, reason)


def _query(scope: Scope) -> dict[str, str]:
    from urllib.parse import parse_qsl  # noqa: PLC0415 -- rarely needed

    raw = scope.get("query_string", b"")
    return dict(parse_qsl(raw.decode("latin-1"))) if raw else {}


async def _verified(known: _Known, req: InboundRequest, kind: str, channel_id: int) -> _Known:
    """Check the request against the channel; when that fails, against a fresh read of it."""
    if known.adapter is None:
        return known  # 404
    try:
        known.adapter.verify(req)
    except (SignatureError, HandshakeRefused):
        known = await _channel(kind, channel_id, fresh=True)
        if known.adapter is None:
            return known
        known.adapter.verify(req)  # raises again when the secret is wrong
    return known


async def _refused(
    send: Send, channel: Channel, adapter: ChannelAdapter, req: InboundRequest, kind: str
) -> None:
    """Malformed or ignored: the ordinary path keeps the body with the reason."""
    try:
        accepted = await asyncio.wrap_future(
            get_writer().run(functools.partial(accept, channel, req, adapter=adapter))
        )
    except ParseError:
        log_exit(400, "malformed", kind, channel.pk, len(req.body))
        return await _answer(send, 400, "malformed")
    reason = "duplicate" if accepted.is_duplicate else "ignored"
    log_exit(200, reason, kind, channel.pk, len(req.body))
    return await _answer(send, 200, reason)
