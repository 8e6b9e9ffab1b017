"""``schwarmdesk bench ingest``: inbound messages per second, end to end, with lost/duplicated.

For each database back end (SQLite, PostgreSQL) and each worker count (1, 2) a child process
(``python -m schwarmdesk.channels.bench _run``) sets Django up on a throwaway database (a fresh
SQLite file under ``--work``, or a fresh PostgreSQL database ``bench_ingest_<pid>`` on the
server of ``--database-url``, dropped afterwards), migrates it and configures a Telegram bot
channel. Then:

1. **Raw insert ceiling** (the baseline, same database, same run): the same number of rows of
   a similar size go into a scratch table with plain DB-API ``executemany``, one commit per
   batch of ``--batch`` rows (``raw-insert-batched``) and one commit per row from 8 threads at
   once (``raw-insert-single``: what one commit per webhook would cost at the least).
2. **End to end**: the product's web server (uvicorn serving ``schwarmdesk.asgi``, with
   ``--web-processes`` processes and ``SCHWARMDESK_WEBHOOK_PROCESSING=queued``) gets every
   Telegram update (real format, the ``X-Telegram-Bot-Api-Secret-Token`` header, texts from
   Banking77, GermEval 2017 and GermEval 2018) as an HTTP POST, over ``--connections``
   keep-alive connections at once, as Telegram sends them (up to 40). The server runs the
   webhook guard chain of :mod:`schwarmdesk.channels.intake` (authenticity check, health note,
   parse check, raw body kept with shared commits) and answers after the commit. Meanwhile
   ``--workers`` worker processes (``_worker``) run
   :func:`~schwarmdesk.channels.batch.process_received`: parse → store (customer,
   conversation, message, route) → follow-ups (counters, search entry, triage) queued as one
   task per batch in the real queue. ``per_second`` = distinct messages / wall time from the
   first webhook to the last stored message; ``accept_per_second`` = webhooks answered per
   second.
   Some updates are deliberately delivered again: byte for byte (``--redeliver``, one raw
   event) and re-serialised with the same message (``--reserialise``: a new raw event whose
   message must be recognised by (channel kind, external id)).
3. **Checks**: ``lost`` = messages sent but not stored exactly with their text, plus stored
   messages whose triage is not in the queue, plus events left unprocessed; ``duplicated`` =
   messages stored more than once, plus messages queued for triage more than once.
4. **Per request** (for comparison, ``--per-request`` updates): the synchronous path
   :func:`schwarmdesk.channels.actions.ingest` one request after the other (what the webhook view
   does today: every message stored, indexed and its tasks queued in its own transactions).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO, TypeVar

from schwarmdesk.core import benchmarks

DEFAULT_BACKENDS = ("sqlite", "postgresql")
DEFAULT_WORKERS = (1, 2)
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_WORK = Path("var/bench")
DEFAULT_MESSAGES = 20_000
DEFAULT_SENDERS = 2_000
DEFAULT_BATCH = 500
DEFAULT_PER_REQUEST = 300
DEFAULT_SEED = 20240601
DEFAULT_CONNECTIONS = 40  # concurrent webhook connections (Telegram's default maximum)
DEFAULT_WEB_PROCESSES = 2  # uvicorn workers
RAW_THREADS = 8  # concurrent single-row commits of the raw insert baseline
TARGETS = {"sqlite": 1000.0, "postgresql": 2000.0}  # messages/s with 2 workers (issue 5)
WEBHOOK_SECRET = "bench-webhook-secret"  # noqa: S105 -- a throwaway channel's test secret
SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 -- a header name
FIRST_NAMES = ("Anna", "Ben", "Carla", "Deniz", "Emil", "Frieda", "Gül", "Hannes", "Ida", "Jonas")
PER_REQUEST_FIRST_SENDER = 10_000_000  # the per-request sample's chats are new ones


T = TypeVar("T")


# The bench cannot run (missing data, database unreachable); the message says why.
BenchError = benchmarks.BenchError


@dataclass
class IngestConfig:
    data: str
    messages: int = DEFAULT_MESSAGES
    senders: int = DEFAULT_SENDERS
    redeliver: float = 0.05
    reserialise: float = 0.02
    batch: int = DEFAULT_BATCH
    per_request: int = DEFAULT_PER_REQUEST
    backends: tuple[str, ...] = DEFAULT_BACKENDS
    workers: tuple[int, ...] = DEFAULT_WORKERS
    database_url: str = DEFAULT_DATABASE_URL
    work: str = str(DEFAULT_WORK)
    seed: int = DEFAULT_SEED
    connections: int = DEFAULT_CONNECTIONS
    web_processes: int = DEFAULT_WEB_PROCESSES
    worker_count: int = 1  # of one child run


# ---------------------------------------------------------------------------------------------
# Texts and payloads


def load_texts(data_dir: Path) -> list[str]:
    """Real customer-like texts: Banking77 (English), GermEval 2017 and 2018 (German)."""
    texts: list[str] = []
    try:
        with (data_dir / "banking77" / "train.csv").open(encoding="utf-8") as handle:
            texts.extend(row["text"] for row in csv.DictReader(handle))
        with (data_dir / "germeval2017" / "dev.tsv").open(encoding="utf-8") as handle:
            texts.extend(line.split("\t")[1] for line in handle if line.count("\t") >= 1)
        path = data_dir / "germeval2018" / "germeval2018.training.txt"
        with path.open(encoding="utf-8") as handle:
            texts.extend(line.split("\t")[0] for line in handle if line.strip())
    except (OSError, KeyError, IndexError) as error:
        raise BenchError(f"cannot read the texts under {data_dir}: {error}") from error
    cleaned = [" ".join(text.split())[:4000] for text in texts]
    return [text for text in cleaned if text]


@dataclass(frozen=True)
class Delivery:
    """One webhook POST the platform makes: the body and the message it carries."""

    body: bytes
    external_id: str
    text: str


def telegram_update(
    update_id: int, message_id: int, sender: int, text: str, date: int
) -> dict[str, Any]:
    """A private-chat message update as the Bot API sends it (core.telegram.org/bots/api#update)."""
    first_name = FIRST_NAMES[sender % len(FIRST_NAMES)]
    user_id = 6_100_000_000 + sender
    return {
        "update_id": update_id,
        "message": {
            "message_id": message_id,
            "from": {
                "id": user_id,
                "is_bot": False,
                "first_name": first_name,
                "last_name": f"Kunde{sender}",
                "username": f"kunde_{sender}",
                "language_code": "de" if sender % 3 else "en",
            },
            "chat": {
                "id": user_id,
                "first_name": first_name,
                "last_name": f"Kunde{sender}",
                "username": f"kunde_{sender}",
                "type": "private",
            },
            "date": date,
            "text": text,
        },
    }


def build_deliveries(
    texts: Sequence[str],
    *,
    messages: int,
    senders: int,
    redeliver: float,
    reserialise: float,
    seed: int,
    first_sender: int = 0,
) -> tuple[list[Delivery], dict[str, str]]:
    """Webhook bodies in arrival order (with re-deliveries) and the distinct messages sent."""
    rng = random.Random(seed)  # noqa: S311 -- a reproducible workload, not a secret
    per_chat: Counter[int] = Counter()
    originals: list[tuple[dict[str, Any], Delivery]] = []
    for number in range(messages):
        sender = first_sender + rng.randrange(senders)
        per_chat[sender] += 1
        text = rng.choice(texts)
        update_id = 900_000_000 + first_sender + number
        date = 1_763_900_000 + number
        update = telegram_update(update_id, per_chat[sender], sender, text, date)
        user_id = update["message"]["chat"]["id"]
        body = json.dumps(update, ensure_ascii=False).encode()
        originals.append((update, Delivery(body, f"{user_id}:{per_chat[sender]}", text)))
    stream = [delivery for _, delivery in originals]
    expected = {delivery.external_id: delivery.text for delivery in stream}
    again = rng.sample(range(messages), int(messages * redeliver))
    reworded = rng.sample(range(messages), int(messages * reserialise))
    for index in again:  # the platform retries: the very same bytes, a little later
        stream.insert(min(len(stream), index + 1 + rng.randrange(200)), originals[index][1])
    for index in reworded:  # a proxy re-serialised it: other bytes, the same message
        update, delivery = originals[index]
        body = json.dumps(update, ensure_ascii=True, indent=1, sort_keys=True).encode()
        copy = Delivery(body, delivery.external_id, delivery.text)
        stream.insert(min(len(stream), index + 1 + rng.randrange(200)), copy)
    return stream, expected


# ---------------------------------------------------------------------------------------------
# Progress (a rich bar on a terminal, a line every few seconds otherwise)


class ProgressLine:
    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label, self.total, self.done = label, total, 0
        self.stream = stream or sys.stderr
        self.started = self._last = time.perf_counter()
        self._rich: Any = None
        if self.stream.isatty():
            from rich.console import Console  # noqa: PLC0415 -- command line only
            from rich.progress import Progress  # noqa: PLC0415

            self._rich = Progress(console=Console(file=self.stream), transient=False)
            self._rich.start()
            self._task = self._rich.add_task(label, total=total)

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self._rich is not None:
            self._rich.update(self._task, completed=self.done)
            return
        now = time.perf_counter()
        if now - self._last >= 5.0 or self.done >= self.total:
            self._last = now
            rate = self.done / max(now - self.started, 1e-9)
            print(
                f"{self.label}: {self.done:,}/{self.total:,} ({rate:,.0f}/s)",
                file=self.stream,
                flush=True,
            )

    def close(self) -> None:
        if self._rich is not None:
            self._rich.stop()


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Child: one back end, one worker count


def measure_raw_inserts(rows: int, batch: int, body: bytes, threads: int) -> tuple[float, float]:
    """Rows per second into a scratch table: batched commits, then one commit per row.

    One commit per row runs in ``threads`` threads at once, as concurrent webhook requests do
    (PostgreSQL flushes their commits to disk together).
    """
    from django.db import connection  # noqa: PLC0415

    key = "INTEGER PRIMARY KEY" if connection.vendor == "sqlite" else "BIGSERIAL PRIMARY KEY"
    blob = "BLOB" if connection.vendor == "sqlite" else "BYTEA"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_raw_insert (id {key}, body {blob}, sha CHAR(64))")
    insert = "INSERT INTO bench_raw_insert (body, sha) VALUES (%s, %s)"

    def insert_rows(numbers: Sequence[int], per_commit: int) -> None:
        from django.db import connection  # noqa: PLC0415 -- this thread's connection

        try:
            for start in range(0, len(numbers), per_commit):
                values = [(body, f"{n:064d}") for n in numbers[start : start + per_commit]]
                with connection.cursor() as cursor:
                    cursor.executemany(insert, values)
        finally:
            if threading.current_thread() is not threading.main_thread():
                connection.close()

    try:
        started = time.perf_counter()
        insert_rows(range(rows), batch)
        batched = rows / max(time.perf_counter() - started, 1e-9)
        started = time.perf_counter()
        in_threads(threads, range(rows, 2 * rows), lambda part: insert_rows(part, 1))
        single = rows / max(time.perf_counter() - started, 1e-9)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_raw_insert")
    return batched, single


def in_threads(count: int, items: Sequence[T], work: Callable[[Sequence[T]], None]) -> None:
    """Run ``work`` over ``count`` interleaved slices of ``items`` at once; re-raise a failure."""
    failures: list[BaseException] = []

    def run(part: Sequence[T]) -> None:
        try:
            work(part)
        except BaseException as error:  # handed to the main thread
            failures.append(error)

    threads = [threading.Thread(target=run, args=(items[n::count],)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def queued_follow_ups() -> Counter[int]:
    """Message ids in follow-up (triage) tasks waiting in the real queue, with multiplicity."""
    import schwarmdesk.channels.tasks  # noqa: F401, PLC0415 -- the task names in the queue
    from schwarmdesk.core.queue import get_huey  # noqa: PLC0415

    queued: Counter[int] = Counter()
    for task in get_huey().pending():
        if task.name.endswith("follow_up_received_task"):
            queued.update(task.args[0])
        elif task.name.endswith("handle_message_task"):
            queued.update([task.args[0]])
    return queued


def count_problems(expected: dict[str, str], *, check_queue: bool) -> tuple[int, int, int]:
    """Lost and duplicated messages (see the module docstring); and events still waiting."""
    from schwarmdesk.channels.models import EventStatus, InboundEvent  # noqa: PLC0415
    from schwarmdesk.conversations.models import Message  # noqa: PLC0415

    stored = list(
        Message.objects.filter(channel_kind="telegram").values_list(
            "pk", "external_id", "body_text"
        )
    )
    copies = Counter(external_id for _, external_id, _ in stored)
    texts = {external_id: text for _, external_id, text in stored}
    lost = sum(1 for key, text in expected.items() if texts.get(key) != text)
    duplicated = sum(count - 1 for count in copies.values() if count > 1)
    waiting = InboundEvent.objects.filter(status=EventStatus.RECEIVED).count()
    if check_queue:
        queued = queued_follow_ups()
        lost += sum(1 for pk, _, _ in stored if queued[pk] == 0)
        duplicated += sum(count - 1 for count in queued.values() if count > 1)
    return lost + waiting, duplicated, waiting


def start_workers(count: int, batch: int, stop_file: Path) -> list[subprocess.Popen[str]]:
    return [
        subprocess.Popen(  # noqa: S603 -- our own module, fixed arguments
            [
                sys.executable,
                "-m",
                "schwarmdesk.channels.bench",
                "_worker",
                str(batch),
                str(stop_file),
            ],
            env=os.environ.copy(),
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]


def wait_for_workers(workers: Sequence[subprocess.Popen[str]]) -> list[dict[str, Any]]:
    reports = []
    for worker in workers:
        output, _ = worker.communicate()
        if worker.returncode != 0:
            raise BenchError(f"a bench worker failed (exit {worker.returncode})")
        reports.append(json.loads(output.strip().splitlines()[-1]))
    return reports


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def web_server(processes: int) -> Iterator[str]:
    """The product's ASGI application under uvicorn with ``processes`` web processes, queued
    webhooks; yields its base URL and stops it afterwards. No access log (a reverse proxy
    writes that in a deployment)."""
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 -- uvicorn with fixed arguments
        [
            sys.executable,
            "-m",
            "uvicorn",
            "schwarmdesk.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(processes),
            "--lifespan",
            "off",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env={**os.environ, "SCHWARMDESK_WEBHOOK_PROCESSING": "queued"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise BenchError(f"the web server exited ({server.returncode})")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                    probe.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    if probe.recv(64).startswith(b"HTTP/1.1 200"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError("the web server did not answer /health within 60 s")
            time.sleep(0.2)
        yield f"127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def post_over_http(
    address: str,
    path: str,
    deliveries: Sequence[Delivery],
    *,
    headers: dict[str, str],
    connections: int,
    progress: ProgressLine,
) -> Counter[str]:
    """POST every delivery over ``connections`` keep-alive HTTP/1.1 connections at once, as a
    platform does (Telegram opens up to 40); returns the answers by status and reason."""
    host, port = address.rsplit(":", 1)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    prefix = f"POST {path} HTTP/1.1\r\nHost: {address}\r\n{head}".encode()
    requests = [prefix + b"Content-Length: %d\r\n\r\n" % len(d.body) + d.body for d in deliveries]
    answers: Counter[str] = Counter()
    pending = iter(requests)

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            for request in pending:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                body = await reader.readexactly(length)
                answers[f"{head[9:12].decode()} {body.decode(errors='replace')}"] += 1
                progress.advance()
        finally:
            writer.close()

    async def run_all() -> None:
        await asyncio.gather(*(connection() for _ in range(connections)))

    asyncio.run(run_all())
    return answers


def run_worker(batch: int, stop_file: Path) -> dict[str, Any]:
    """A bench worker: work the backlog off in batches until told to stop and nothing is left."""
    import django  # noqa: PLC0415

    django.setup()
    from schwarmdesk.channels.batch import WAKE_DELAY, process_received  # noqa: PLC0415

    events = messages = batches = 0
    while True:
        result = process_received(batch)
        events, messages = events + result.events, messages + len(result.messages)
        batches += 1 if result.events else 0
        if result.events == batch:
            continue  # a full batch: more is waiting
        if not result.events and stop_file.exists():
            break
        time.sleep(WAKE_DELAY.total_seconds())  # as the webhooks' wake-up timer does
    return {"events": events, "messages": messages, "batches": batches}


def measure_per_request(
    config: IngestConfig, texts: Sequence[str], channel: Any, headers: dict[str, str], label: str
) -> tuple[float, dict[str, str]]:
    """The synchronous path, for comparison: new senders, one request after the other."""
    from schwarmdesk.channels.actions import get_adapter, ingest  # noqa: PLC0415
    from schwarmdesk.channels.adapters.base import InboundRequest  # noqa: PLC0415

    adapter = get_adapter(channel)
    deliveries, expected = build_deliveries(
        texts,
        messages=config.per_request,
        senders=max(1, config.per_request // 4),
        redeliver=0.1,
        reserialise=0.0,
        seed=config.seed + 1,
        first_sender=PER_REQUEST_FIRST_SENDER,
    )
    progress = ProgressLine(f"{label}: per request", len(deliveries))
    started = time.perf_counter()
    for delivery in deliveries:
        req = InboundRequest(method="POST", body=delivery.body, headers=headers)
        adapter.verify(req)
        ingest(channel, req)
        progress.advance()
    elapsed = time.perf_counter() - started
    progress.close()
    return len(expected) / max(elapsed, 1e-9), expected


def run_backend(config: IngestConfig) -> dict[str, Any]:
    """In the child, with Django configured for a fresh database."""
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415

    from schwarmdesk.channels.actions import configure_channel  # noqa: PLC0415
    from schwarmdesk.core.queue import get_huey  # noqa: PLC0415

    vendor = connection.vendor
    call_command("migrate", interactive=False, verbosity=0)
    get_huey().flush()
    texts = load_texts(Path(config.data))
    deliveries, expected = build_deliveries(
        texts,
        messages=config.messages,
        senders=config.senders,
        redeliver=config.redeliver,
        reserialise=config.reserialise,
        seed=config.seed,
    )
    label = f"{vendor}, {config.worker_count} worker{'s' if config.worker_count > 1 else ''}"
    raw_batched, raw_single = measure_raw_inserts(
        len(deliveries), config.batch, deliveries[0].body, min(config.connections, RAW_THREADS)
    )
    note(f"{label}: raw inserts {raw_batched:,.0f}/s batched, {raw_single:,.0f}/s one per commit")
    channel = configure_channel(
        None,
        kind="telegram",
        name="Bench bot",
        secrets={"bot_token": "1:bench", "webhook_secret": WEBHOOK_SECRET},
    )
    headers = {SECRET_HEADER: WEBHOOK_SECRET, "content-type": "application/json"}

    stop_file = Path(os.environ["SCHWARMDESK_DATA_DIR"]) / f"stop-{os.getpid()}"
    path = f"/channels/telegram/{channel.pk}/webhook/"
    with web_server(config.web_processes) as address:
        workers = start_workers(config.worker_count, config.batch, stop_file)
        progress = ProgressLine(f"{label}: webhooks", len(deliveries))
        started = time.perf_counter()
        answers = post_over_http(
            address,
            path,
            deliveries,
            headers=headers,
            connections=config.connections,
            progress=progress,
        )
        accepted_s = time.perf_counter() - started
        progress.close()
        stop_file.touch()
        reports = wait_for_workers(workers)
        elapsed = time.perf_counter() - started
    refused = {answer: n for answer, n in answers.items() if not answer.startswith("200 ")}
    if refused:
        note(f"{label}: webhooks not accepted: {refused}")
    lost, duplicated, waiting = count_problems(expected, check_queue=True)
    rate = len(expected) / max(elapsed, 1e-9)
    note(f"{label}: {rate:,.0f} messages/s end to end; lost {lost}, duplicated {duplicated}")

    per_request_rate, per_request_count = measure_per_request(
        config, texts, channel, headers, label
    )
    per_request_lost, per_request_duplicated, _ = count_problems(
        {**expected, **per_request_count}, check_queue=False
    )
    return {
        "backend": vendor,
        "workers": config.worker_count,
        "messages": len(expected),
        "deliveries": len(deliveries),
        "answers": dict(answers),
        "web_processes": config.web_processes,
        "senders": config.senders,
        "per_second": round(rate, 1),
        "accept_per_second": round(len(deliveries) / max(accepted_s, 1e-9), 1),
        "elapsed_s": round(elapsed, 2),
        "lost": lost,
        "duplicated": duplicated,
        "waiting": waiting,
        "batches": sum(report["batches"] for report in reports),
        "raw_insert_batched_per_second": round(raw_batched, 1),
        "raw_insert_single_per_second": round(raw_single, 1),
        "per_request_per_second": round(per_request_rate, 1),
        "per_request_messages": len(per_request_count),
        "per_request_lost": per_request_lost,
        "per_request_duplicated": per_request_duplicated,
    }


# ---------------------------------------------------------------------------------------------
# Parent: throwaway databases, child processes, table, chart


def run_child(backend: str, workers: int, config: IngestConfig) -> dict[str, Any]:
    child = IngestConfig(**{**asdict(config), "worker_count": workers})
    with benchmarks.throwaway_database(
        backend, prefix="ingest", work=Path(config.work), database_url=config.database_url
    ) as environment:
        return benchmarks.run_child(
            "schwarmdesk.channels.bench", asdict(child), environment, label=backend
        )


def result_rows(runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The measurement contract's rows: ours per worker count, then the baselines per back end."""
    rows: list[dict[str, Any]] = []
    for run in runs:
        task = f"ingest-{'sqlite' if run['backend'] == 'sqlite' else 'postgresql'}"
        common = {"task": task, "workers": run["workers"], "messages": run["messages"]}
        rows.append(
            {
                **common,
                "system": "schwarmdesk",
                "per_second": run["per_second"],
                "lost": run["lost"],
                "duplicated": run["duplicated"],
                "deliveries": run["deliveries"],
                "accept_per_second": run["accept_per_second"],
                "elapsed_s": run["elapsed_s"],
                "batches": run["batches"],
                "target_per_second": TARGETS[task.removeprefix("ingest-")],
            }
        )
        rows.append(
            {
                **common,
                "system": "schwarmdesk-per-request",
                "per_second": run["per_request_per_second"],
                "lost": run["per_request_lost"],
                "duplicated": run["per_request_duplicated"],
                "messages": run["per_request_messages"],
            }
        )
        for system, key in (
            ("raw-insert-batched", "raw_insert_batched_per_second"),
            ("raw-insert-single", "raw_insert_single_per_second"),
        ):
            rows.append({**common, "system": system, "per_second": run[key]})
    return rows


def run_bench(
    config: IngestConfig,
    *,
    json_output: bool = False,
    chart: Path | None = None,
    stdout: TextIO | None = None,
) -> dict[str, Any]:
    stream = stdout if stdout is not None else sys.stdout
    texts = load_texts(Path(config.data))
    note(
        f"bench ingest: {config.messages:,} Telegram messages from {config.senders:,} senders "
        f"({len(texts):,} real texts), re-delivered {config.redeliver:.0%} byte for byte and "
        f"{config.reserialise:.0%} re-serialised; batches of {config.batch}"
    )
    runs = [
        run_child(backend, workers, config)
        for backend in config.backends
        for workers in config.workers
    ]
    results = result_rows(runs)
    notes = [
        "per_second: distinct messages / wall time from the first webhook (an HTTP POST to the "
        "product's uvicorn server: authenticity check, raw body kept) to the last message "
        "stored by the workers, with counters, search entry and triage queued (not run); "
        "webhooks/s: webhooks answered per second; raw-insert-*: the same database's plain "
        "INSERT rate in the same run (the ceiling); schwarmdesk-per-request: the synchronous "
        "webhook path (channels.actions.ingest), one request at a time.",
        f"{config.connections} connections at once to {config.web_processes} web process(es); "
        "2 cores shared by the HTTP client, the web server, the workers and the database.",
    ]
    document: dict[str, Any] = {"results": results, "notes": notes}
    if json_output:
        stream.write(json.dumps(document) + "\n")
    else:
        print_table(results, notes, stream)
    if chart is not None:
        draw_chart(results, chart)
        note(f"chart: {chart}")
    return document


def print_table(results: list[dict[str, Any]], notes: Sequence[str], stream: TextIO) -> None:
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    console = Console(file=stream, width=160)
    table = Table(title="schwarmdesk bench ingest: inbound messages per second (end to end)")
    columns = (
        "task",
        "system",
        "workers",
        "messages",
        "per_second",
        "target",
        "lost",
        "duplicated",
        "webhooks/s",
    )
    for column in columns:
        table.add_column(column, justify="left" if column in {"task", "system"} else "right")
    for row in results:
        table.add_row(
            row["task"],
            row["system"],
            str(row["workers"]) if row["system"].startswith("schwarmdesk") else "",
            f"{row['messages']:,}",
            f"{row['per_second']:,.0f}",
            f"{row['target_per_second']:,.0f}" if "target_per_second" in row else "",
            str(row["lost"]) if "lost" in row else "",
            str(row["duplicated"]) if "duplicated" in row else "",
            f"{row['accept_per_second']:,.0f}" if "accept_per_second" in row else "",
        )
    console.print(table)
    for line in notes:
        console.print(line)


def draw_chart(results: list[dict[str, Any]], path: Path) -> None:
    import matplotlib  # noqa: PLC0415 -- only for the chart

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    figure, axis = plt.subplots(figsize=(9, 5), dpi=120)
    names = {
        "schwarmdesk": "workers",
        "schwarmdesk-per-request": "per request",
        "raw-insert-batched": "raw insert, batched",
        "raw-insert-single": "raw insert, 1 per commit",
    }
    colours = {
        "schwarmdesk": "tab:blue",
        "schwarmdesk-per-request": "tab:orange",
        "raw-insert-batched": "tab:grey",
        "raw-insert-single": "silver",
    }
    bars: list[tuple[str, str, float]] = []  # label, system, rate
    for task in dict.fromkeys(row["task"] for row in results):
        backend = task.removeprefix("ingest-")
        rows = [row for row in results if row["task"] == task]
        for row in rows:
            if row["system"] == "schwarmdesk":
                bars.append(
                    (f"{backend}\n{row['workers']} worker(s)", row["system"], row["per_second"])
                )
        for system in ("schwarmdesk-per-request", "raw-insert-batched", "raw-insert-single"):
            first = next((row for row in rows if row["system"] == system), None)
            if first is not None:  # measured in each run; the first run's figure
                bars.append((f"{backend}\n{names[system]}", system, first["per_second"]))
    axis.bar(
        range(len(bars)),
        [rate for _, _, rate in bars],
        color=[colours[system] for _, system, _ in bars],
    )
    for backend, target in TARGETS.items():
        colour = "tab:red" if backend == "postgresql" else "tab:green"
        axis.axhline(
            target,
            linestyle="--",
            linewidth=1,
            color=colour,
            label=f"goal {backend} {target:,.0f}/s",
        )
    axis.set_xticks(range(len(bars)), [label for label, _, _ in bars], fontsize=6, rotation=30)
    axis.set_yscale("log")
    axis.set_ylabel("messages (rows) per second, log")
    axis.set_title("Inbound ingest end to end vs raw insert ceiling (2 cores)")
    axis.grid(True, axis="y", which="both", alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)


# ---------------------------------------------------------------------------------------------
# Command line


def _int_list(value: str) -> tuple[int, ...]:
    try:
        numbers = tuple(int(part) for part in value.split(",") if part.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"expected numbers separated by commas: {value}"
        ) from error
    if not numbers or any(n <= 0 for n in numbers):
        raise argparse.ArgumentTypeError("worker counts must be positive")
    return numbers


def _backend_list(value: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [n for n in names if n not in DEFAULT_BACKENDS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"backends are sqlite and/or postgresql, not {unknown}")
    return names


def add_bench_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``ingest`` on the ``schwarmdesk bench`` sub-command parsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "ingest",
        help="inbound messages per second end to end (SQLite, PostgreSQL; 1 and 2 workers)",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("--data", type=Path, required=True, help="the evaluation data folder")
    parser.add_argument("--messages", type=int, default=DEFAULT_MESSAGES, help="distinct messages")
    parser.add_argument("--senders", type=int, default=DEFAULT_SENDERS, help="distinct customers")
    parser.add_argument(
        "--redeliver", type=float, default=0.05, help="share sent twice, same bytes"
    )
    parser.add_argument(
        "--reserialise", type=float, default=0.02, help="share sent twice, other bytes"
    )
    parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="events per transaction")
    parser.add_argument("--per-request", type=int, default=DEFAULT_PER_REQUEST)
    parser.add_argument(
        "--connections",
        type=int,
        default=DEFAULT_CONNECTIONS,
        help="concurrent webhook connections to the web server",
    )
    parser.add_argument(
        "--web-processes",
        type=int,
        default=DEFAULT_WEB_PROCESSES,
        help="uvicorn worker processes of the web server",
    )
    parser.add_argument("--backends", type=_backend_list, default=DEFAULT_BACKENDS)
    parser.add_argument("--workers", type=_int_list, default=DEFAULT_WORKERS, help="e.g. 1,2")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help="PostgreSQL server; a database bench_ingest_<pid> is created there and dropped",
    )
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="databases, queue")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    parser.add_argument("--chart", type=Path, help="PNG path (default WORK/ingest.png)")
    parser.set_defaults(func=cmd_bench_ingest)
    return parser


def cmd_bench_ingest(args: argparse.Namespace) -> int:
    config = IngestConfig(
        data=str(args.data.resolve()),
        messages=args.messages,
        senders=args.senders,
        redeliver=args.redeliver,
        reserialise=args.reserialise,
        batch=args.batch,
        per_request=args.per_request,
        connections=args.connections,
        web_processes=args.web_processes,
        backends=tuple(args.backends),
        workers=tuple(args.workers),
        database_url=args.database_url,
        work=str(args.work.resolve()),
        seed=args.seed,
    )
    chart = args.chart if args.chart is not None else Path(config.work) / "ingest.png"
    try:
        run_bench(config, json_output=args.json, chart=chart)
    except BenchError as error:
        print(f"schwarmdesk bench ingest: {error}", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["_run"]:  # the child process of one back end and worker count
        config = IngestConfig(**json.loads(arguments[1]))
        config.backends, config.workers = tuple(config.backends), tuple(config.workers)
        try:
            result = run_backend(config)
        except BenchError as error:
            print(f"schwarmdesk bench ingest: {error}", file=sys.stderr)
            return 2
        print(json.dumps(result), flush=True)
        return 0
    if arguments[:1] == ["_worker"]:
        print(json.dumps(run_worker(int(arguments[1]), Path(arguments[2]))), flush=True)
        return 0
    parser = argparse.ArgumentParser(prog="python -m schwarmdesk.channels.bench")
    subparsers = parser.add_subparsers(dest="suite", required=True, metavar="SUITE")
    add_bench_parser(subparsers)
    args = parser.parse_args(arguments)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
