"""Killing the worker at any moment loses nothing and sends nothing twice.

A real ``schwarmdesk worker`` process works off raw inbound events (the batch path) and
outbound deliveries to a localhost fake Telegram and Mastodon API; the test SIGKILLs it several
times at different points (during the inbound batch, while replies are in flight), restarts it,
and checks the end state.

What is guaranteed, and the window that remains:

* **Inbound: exactly once.** A batch of raw events is parsed and stored in one transaction that
  also marks the events processed, so a kill leaves either all of a batch or none of it; the
  next run processes what is left. ``(channel kind, external id)`` is unique, so even a batch
  run twice could not store a message twice. The follow-up (counters, search entry, triage) is
  a queued task, lost if the worker dies while running it; ``follow_up_missing`` (every minute,
  after a grace period) queues it again for every message without its triage, and the follow-up
  skips messages already triaged. No window remains for inbound messages.
* **Outbound: never twice; exactly once where the platform recognises a repeated send.** The
  attempt is committed (status ``sending`` with a lease) before the HTTP request, the outcome
  after it. A kill between the two leaves the reply's fate unknown: the platform may have posted
  it. Mastodon keeps a status's ``Idempotency-Key`` (we send one; the fake server honours it as
  Mastodon does), so such a send is repeated when the lease runs out and still posts once:
  exactly once. Telegram (like X and Facebook) has no idempotency key, so an interrupted send is
  never repeated automatically: the delivery fails with a reason the agent sees ("may or may not
  have reached the customer") and can retry. That is at most once: the remaining window is a
  kill after the request left and before its outcome was committed, and its cost is a reply
  that may be missing (shown to the agent), never one that arrives twice.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.db.models import QuerySet
from django.utils import timezone
from huey import Huey

from schwarmdesk.automation.models import Triage
from schwarmdesk.channels.actions import INTERRUPTED_SEND, ingest, reply
from schwarmdesk.channels.adapters.base import InboundRequest
from schwarmdesk.channels.batch import accept, follow_up_missing
from schwarmdesk.channels.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    EventStatus,
    InboundEvent,
)
from schwarmdesk.channels.tasks import deliver_due_task, process_received_task
from schwarmdesk.conversations.models import Message, Visibility
from schwarmdesk.people.models import Agent
from tests.channels.conftest import FIXTURES, make_channel, signed_headers
from tests.core.queues import REPO, worker_command, worker_environment

pytestmark = pytest.mark.django_db(transaction=True)

INBOUND = 300  # raw Telegram events
BATCH = 100  # raw events per transaction of the worker
SETUP_CHATS = 3  # Telegram chats the replies go to
TELEGRAM_REPLIES = 24
MASTODON_REPLIES = 8
SEND_SECONDS = 0.2  # how long the fake platform takes to answer: the window of a kill
DEADLINE_SECONDS = 180.0
INBOUND_KILL_SECONDS = 0.3  # after the worker started: inside the batch of raw events
SWEEP_SECONDS = 3.0
TEXT = "mein Zug ist ausgefallen"


@dataclass
class FakePlatform:
    """Telegram's sendMessage and Mastodon's statuses; a request counts when it arrives."""

    url: str = ""
    telegram_texts: list[str] = field(default_factory=list)
    mastodon_posts: dict[str, str] = field(default_factory=dict)  # Idempotency-Key -> text
    mastodon_requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def requests(self) -> int:
        with self.lock:
            return len(self.telegram_texts) + self.mastodon_requests

    def answer(self, path: str, headers: dict[str, str], body: dict[str, object]) -> object:
        with self.lock:
            if path.endswith("/sendMessage"):
                self.telegram_texts.append(str(body["text"]))
                return {"ok": True, "result": {"message_id": 1000 + len(self.telegram_texts)}}
            if path == "/api/v1/statuses":
                self.mastodon_requests += 1
                key = headers.get("idempotency-key", "")
                # Mastodon: the same key within an hour returns the first status, posts nothing
                if not key or key not in self.mastodon_posts:
                    self.mastodon_posts[key or f"no-key-{self.mastodon_requests}"] = str(
                        body["status"]
                    )
                number = list(self.mastodon_posts).index(key) if key else -1
                return {"id": f"11354100000000{number:04d}", "visibility": "direct"}
        return {"error": "not found"}


@pytest.fixture
def platform() -> Iterator[FakePlatform]:
    fake = FakePlatform()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            headers = {name.lower(): value for name, value in self.headers.items()}
            answer = fake.answer(self.path.split("?")[0], headers, body)
            time.sleep(SEND_SECONDS)  # the platform has acted; the answer is still on its way
            payload = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def telegram_update(number: int) -> bytes:
    user = 7_200_000_000 + number % 40
    return json.dumps(
        {
            "update_id": 880_000_000 + number,
            "message": {
                "message_id": number,
                "from": {"id": user, "is_bot": False, "first_name": f"Kunde {number % 40}"},
                "chat": {"id": user, "first_name": f"Kunde {number % 40}", "type": "private"},
                "date": 1_763_900_000 + number,
                "text": f"Nachricht {number}: {TEXT}",
            },
        }
    ).encode()


def lower(body: bytes) -> dict[str, str]:
    """The webhook's headers as the view passes them on (lower-case names)."""
    return {name.lower(): value for name, value in signed_headers("telegram", body).items()}


class Worker:
    """A real `schwarmdesk worker` process; its output goes to a file the test can read."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        env = {
            **worker_environment(),
            "SCHWARMDESK_EMBEDDING_MODEL": "none",
            "SCHWARMDESK_INGEST_BATCH_SIZE": str(BATCH),
        }
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                worker_command(), env=env, cwd=REPO, stdout=output, stderr=subprocess.STDOUT
            )

    def kill(self) -> None:
        assert self.process is not None
        assert self.process.poll() is None, "the worker died by itself:\n" + self.output()
        self.process.send_signal(signal.SIGKILL)
        assert self.process.wait(timeout=20) == -signal.SIGKILL
        self.kills += 1

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def wait_for(condition: Callable[[], bool], what: str, worker: Worker) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}:\n{worker.output()}"
        time.sleep(0.01)


@dataclass
class Setup:
    telegram: Channel
    mastodon: Channel
    sent: dict[str, str]  # external id -> text of the raw inbound events
    telegram_texts: list[str]
    mastodon_texts: list[str]


def prepare(alice: Agent, platform: FakePlatform) -> Setup:
    """Raw events waiting for the worker (first in the queue), then replies waiting to be sent."""
    telegram = make_channel("telegram", platform.url)
    mastodon = make_channel("mastodon", platform.url)
    Channel.objects.update(rate_limit_per_minute=1000)
    sent = {}
    for number in range(INBOUND):
        body = telegram_update(number)
        assert accept(telegram, InboundRequest("POST", body, lower(body))).event is not None
        sent[f"{7_200_000_000 + number % 40}:{number}"] = f"Nachricht {number}: {TEXT}"
    process_received_task()  # the wake-up (the webhook's timer queues the same)
    conversations = []
    for number in range(SETUP_CHATS):
        body = telegram_update(10_000 + number)
        received = ingest(telegram, InboundRequest("POST", body, lower(body))).messages
        conversations.append(received[0].conversation_id)
    notifications = (FIXTURES / "mastodon" / "notifications.json").read_bytes()
    mentions = ingest(mastodon, InboundRequest("GET", notifications, {})).messages
    telegram_texts = [f"Antwort {n} per Telegram" for n in range(TELEGRAM_REPLIES)]
    for number, text in enumerate(telegram_texts):
        reply(alice, conversations[number % SETUP_CHATS], body=text, visibility=Visibility.PRIVATE)
    mastodon_texts = [f"Antwort {n} per Mastodon" for n in range(MASTODON_REPLIES)]
    for number, text in enumerate(mastodon_texts):
        conversation = mentions[number % len(mentions)].conversation_id
        reply(alice, conversation, body=text, visibility=Visibility.PRIVATE)
    return Setup(telegram, mastodon, sent, telegram_texts, mastodon_texts)


def received() -> QuerySet[InboundEvent]:
    return InboundEvent.objects.filter(status=EventStatus.RECEIVED)


def kill_at_every_point(worker: Worker, platform: FakePlatform, setup: Setup) -> None:
    """Kill inside the inbound batches (the moment the first one committed, the second one
    began), then twice while a Telegram reply is in flight (the platform has it, the worker
    waits for the answer), then while a Mastodon status is."""
    inbound = Message.objects.filter(channel_kind="telegram", external_id__in=list(setup.sent))
    for point in ("inbound", "telegram", "telegram", "mastodon"):
        sends, statuses = len(platform.telegram_texts), platform.mastodon_requests
        worker.start()
        if point == "inbound":  # just after the first batch of raw events committed
            wait_for(lambda: received().count() < INBOUND, "the first batch", worker)
        elif point == "telegram":
            wait_for(lambda: len(platform.telegram_texts) > sends, "a send", worker)  # noqa: B023 -- used at once
        else:
            wait_for(lambda: platform.mastodon_requests > statuses, "a status", worker)  # noqa: B023 -- used at once
        worker.kill()
        # after every kill, each batch of raw events is stored whole or not at all
        processed = INBOUND - received().count()
        assert processed % BATCH == 0
        assert inbound.count() == processed
        if point == "inbound":  # killed inside the second batch: it left nothing behind
            assert processed == BATCH


def run_until_settled(worker: Worker, setup: Setup, real_queue: Huey) -> None:
    """Restart; time passes: the leases of the cut-off sends run out, the minute sweep runs."""
    inbound = Message.objects.filter(channel_kind="telegram", external_id__in=list(setup.sent))
    worker.start()
    Delivery.objects.filter(status=DeliveryStatus.SENDING).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    process_received_task()
    deliver_due_task()
    sweeps = [time.monotonic()]

    def settled() -> bool:
        waiting = Delivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
        )
        if InboundEvent.objects.filter(status=EventStatus.RECEIVED).exists() or waiting.exists():
            return False
        if Triage.objects.filter(message__in=inbound).count() == INBOUND:
            return True
        idle = real_queue.pending_count() == 0
        if idle and time.monotonic() - sweeps[-1] > SWEEP_SECONDS:  # lost follow-ups, again
            follow_up_missing(grace=timedelta(0))
            sweeps.append(time.monotonic())
        return False

    wait_for(settled, "the worker to finish", worker)


def test_killing_the_worker_loses_nothing_and_sends_nothing_twice(
    real_queue: Huey, alice: Agent, platform: FakePlatform, tmp_path: Path
) -> None:
    # given raw inbound events and replies to Telegram and Mastodon waiting for the worker
    setup = prepare(alice, platform)
    # when a real worker is killed at four points, restarted, and time passes
    worker = Worker(tmp_path / "worker.log")
    try:
        kill_at_every_point(worker, platform, setup)
        run_until_settled(worker, setup, real_queue)
    finally:
        worker.stop()

    assert worker.kills == 4
    # then every inbound message is stored once, with its text, and triaged once
    inbound = Message.objects.filter(channel_kind="telegram", external_id__in=list(setup.sent))
    assert dict(inbound.values_list("external_id", "body_text")) == setup.sent
    assert inbound.count() == INBOUND
    assert Triage.objects.filter(message__in=inbound).count() == INBOUND
    assert not InboundEvent.objects.exclude(status=EventStatus.PROCESSED).exists()
    # and no Telegram reply arrived twice: the two cut off in flight arrived once and are shown
    # to the agent as interrupted (never repeated automatically), every other one was sent once
    assert Counter(platform.telegram_texts) == dict.fromkeys(setup.telegram_texts, 1)
    deliveries = Delivery.objects.filter(channel=setup.telegram).select_related("message")
    outcomes = Counter((d.status, d.last_error) for d in deliveries)
    assert outcomes == {
        (DeliveryStatus.SENT, ""): TELEGRAM_REPLIES - 2,
        (DeliveryStatus.FAILED, INTERRUPTED_SEND): 2,
    }
    # and every Mastodon reply was posted exactly once: the cut-off one was sent again with the
    # same Idempotency-Key, which Mastodon answers with the status it already posted
    assert platform.mastodon_requests == MASTODON_REPLIES + 1
    posted = sorted(text.split(" ", 1)[1] for text in platform.mastodon_posts.values())
    assert posted == sorted(setup.mastodon_texts)
    statuses = Delivery.objects.filter(channel=setup.mastodon).values_list("status", flat=True)
    assert set(statuses) == {DeliveryStatus.SENT}
