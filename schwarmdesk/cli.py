"""The ``schwarmdesk`` command: demo, serve, worker and a passthrough to Django's manage."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Sequence

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schwarmdesk.settings")
    from schwarmdesk.config import ConfigError  # noqa: PLC0415

    try:
        import django  # noqa: PLC0415

        django.setup()
    except ConfigError as error:
        print(f"schwarmdesk: configuration error: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104 -- display only
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def _serve(host: str, port: int, workers: int) -> None:
    import uvicorn  # noqa: PLC0415

    uvicorn.run(
        "schwarmdesk.asgi:application",
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        lifespan="off",
        proxy_headers=True,
        ws="websockets-sansio",  # web chat sockets; the legacy implementation is deprecated
    )


def cmd_demo(args: argparse.Namespace) -> int:
    os.environ.setdefault("SCHWARMDESK_MODE", "demo")
    os.environ.setdefault("SCHWARMDESK_BASE_URL", _url(args.host, args.port))
    if args.host not in LOOPBACK_HOSTS:
        os.environ.setdefault("SCHWARMDESK_ALLOWED_HOSTS", "*")
    _setup_django()
    from django.conf import settings  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415

    print(f"Schwarmdesk demo: data in {settings.DATA_DIR}", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    # one summary line instead of a log line per created article and post
    domain_log = logging.getLogger("schwarmdesk")
    level = domain_log.level
    domain_log.setLevel(logging.WARNING)
    try:
        call_command("load_demo", verbosity=1)
    finally:
        domain_log.setLevel(level)

    worker = None
    if not args.no_worker:
        worker = subprocess.Popen(
            [sys.executable, "-m", "schwarmdesk", "worker"], env=os.environ.copy()
        )
    from schwarmdesk.demo.loader import DEMO_LOGINS  # noqa: PLC0415

    url = _url(args.host, args.port)
    print("", flush=True)
    print(f"  Schwarmdesk is running at {url}/", flush=True)
    print(f"  Log in: {url}/accounts/login/   Admin: {url}/admin/", flush=True)
    for username, password, role in DEMO_LOGINS:
        print(f"    {username:10} / {password:12} {role}", flush=True)
    print("  Stop with Ctrl+C.", flush=True)
    print("", flush=True)
    try:
        _serve(args.host, args.port, workers=1)
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _setup_django()  # fail here, with a clear message, before uvicorn forks
    _serve(args.host, args.port, workers=args.workers)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _setup_django()
    from django.conf import settings  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415

    call_command(
        "run_huey",
        workers=args.threads or settings.WORKER_THREADS,
        worker_type="thread",
        initial_delay=args.poll_delay,
        max_delay=args.max_poll_delay,
    )
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    _setup_django()
    from rich.progress import Progress  # noqa: PLC0415

    from schwarmdesk.search.reindex import reindex  # noqa: PLC0415
    from schwarmdesk.search.semantic import embed_pending  # noqa: PLC0415

    with Progress(transient=False) as progress:
        bars: dict[str, object] = {}

        def report(kind: str, done: int, total: int) -> None:
            if kind not in bars:
                bars[kind] = progress.add_task(f"indexing {kind}", total=total)
            progress.update(bars[kind], completed=done, total=max(total, done))  # type: ignore[arg-type]  # TaskID is an int

        try:
            counts = reindex(args.kind, resume=args.resume, progress=report)
        except ValueError as error:
            print(f"schwarmdesk reindex: {error}", file=sys.stderr)
            return 2
        embedded = 0
        if args.embed:
            task = progress.add_task("embedding", total=None)
            while True:
                step = embed_pending(max_batches=1)
                if not step:
                    break
                embedded += step
                progress.update(task, completed=embedded)
    summary = ", ".join(f"{kind}: {count}" for kind, count in counts.items()) or "nothing"
    print(f"Reindexed {summary}" + (f"; embedded {embedded}" if args.embed else ""))
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schwarmdesk.settings")
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    from schwarmdesk.config import ConfigError  # noqa: PLC0415

    try:
        execute_from_command_line(["schwarmdesk manage", *args.rest])
    except ConfigError as error:
        print(f"schwarmdesk: configuration error: {error}", file=sys.stderr)
        return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="schwarmdesk",
        description="Community-first customer service. Settings come from SCHWARMDESK_* "
        "environment variables (see README.md).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo", help="migrate, load demo data, run web server and worker (SQLite under ./var)"
    )
    demo.add_argument("--host", default=DEFAULT_HOST)
    demo.add_argument("--port", type=int, default=DEFAULT_PORT)
    demo.add_argument("--no-worker", action="store_true", help="do not start a worker")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="run the ASGI web server")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--workers", type=int, default=1, help="web processes")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run the background worker")
    worker.add_argument("--threads", type=int, default=None, help="worker threads")
    worker.add_argument("--poll-delay", type=float, default=0.1, help="seconds")
    worker.add_argument("--max-poll-delay", type=float, default=2.0, help="seconds")
    worker.set_defaults(func=cmd_worker)

    reindex = sub.add_parser("reindex", help="rebuild the search index from the content")
    reindex.add_argument("--kind", action="append", default=[], help="only this kind (repeat)")
    reindex.add_argument(
        "--resume", action="store_true", help="continue an interrupted run after its last batch"
    )
    reindex.add_argument(
        "--embed", action="store_true", help="compute missing embeddings now, not in the worker"
    )
    reindex.set_defaults(func=cmd_reindex)

    evaluate = sub.add_parser("eval", help="measure quality on real data (see --help)")
    eval_sub = evaluate.add_subparsers(dest="suite", required=True, metavar="SUITE")
    from schwarmdesk.search.evaluation import add_eval_parser  # noqa: PLC0415

    add_eval_parser(eval_sub)
    from schwarmdesk.moderation.evaluation import (  # noqa: PLC0415
        add_eval_parser as add_moderation_eval_parser,
    )

    add_moderation_eval_parser(eval_sub)
    from schwarmdesk.automation.evaluation import (  # noqa: PLC0415
        add_eval_parser as add_triage_eval_parser,
    )

    add_triage_eval_parser(eval_sub)

    bench = sub.add_parser("bench", help="measure speed at scale (see --help)")
    bench_sub = bench.add_subparsers(dest="suite", required=True, metavar="SUITE")
    from schwarmdesk.search.bench import add_bench_parser  # noqa: PLC0415

    add_bench_parser(bench_sub)
    from schwarmdesk.channels.bench import (  # noqa: PLC0415
        add_bench_parser as add_ingest_bench_parser,
    )

    add_ingest_bench_parser(bench_sub)

    manage = sub.add_parser("manage", help="Django's manage.py, e.g. `schwarmdesk manage migrate`")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
