"""The background task runs in a real `schwarmdesk worker` process (SQLite, PostgreSQL, Redis)."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator

import pytest
from huey import Huey

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.conversations.actions import add_message
from schwarmdesk.conversations.models import Conversation, Direction, Visibility
from schwarmdesk.conversations.tasks import recompute_counters_task
from schwarmdesk.people.models import Customer
from tests.conftest import require_service
from tests.core.queues import (
    REPO,
    redis_url_for_tests,
    use_redis_queue,
    worker_command,
    worker_environment,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["sqlite-queue", "redis-queue"])
def worker(request: pytest.FixtureRequest, real_queue: Huey) -> Iterator[subprocess.Popen[str]]:
    redis_url = None
    queue_name = None
    if request.param == "redis-queue":
        redis_url = redis_url_for_tests()
        if redis_url is None:
            require_service("no Redis for the RedisHuey test (set SCHWARMDESK_TEST_REDIS_URL)")
        assert redis_url is not None
        queue_name = use_redis_queue(real_queue, redis_url)
    process = subprocess.Popen(
        worker_command(),
        env=worker_environment(redis_url=redis_url, queue_name=queue_name),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        print(output)  # shown by pytest when the test fails


def test_real_worker_recomputes_counters_after_messages(
    worker: subprocess.Popen[str],
    real_queue: Huey,
    carol: Customer,
    carol_conversation: Conversation,
) -> None:
    # given a worker process on the same database and queue
    # when two messages are committed (each queues the counter task on commit)
    for number in (1, 2):
        add_message(
            None,
            carol_conversation,
            direction=Direction.INBOUND,
            visibility=Visibility.PUBLIC,
            channel_kind=ChannelKind.EMAIL,
            body_text=f"Nachricht {number}",
            external_id=f"<n{number}@mail.example.com>",
            author_customer=carol,
        )
    # then the tasks wait in the real queue, not run inline
    carol_conversation.refresh_from_db()
    assert carol_conversation.message_count == 0
    # and the worker runs them: a last task queued behind them returns the final count
    result = recompute_counters_task(carol_conversation.pk)
    assert result.get(blocking=True, timeout=60) == 2
    assert worker.poll() is None, "the worker process died"
    # (the worker's own scheduler may have queued periodic tasks meanwhile; none of ours waits)
    waiting = [task.name for task in real_queue.pending()]
    assert [name for name in waiting if name.endswith("recompute_counters_task")] == []
    carol_conversation.refresh_from_db()
    assert (carol_conversation.message_count, carol_conversation.inbound_count) == (2, 2)
    assert carol_conversation.last_message_at is not None
