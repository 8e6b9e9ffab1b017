"""The one HTTP client every channel adapter sends through.

Timeouts on every call, and one mapping from HTTP outcomes to ``TransientSendError`` (try again
later: 429, 5xx, timeouts, refused connections; ``Retry-After`` kept) and ``PermanentSendError``
(other 4xx: fix the token, the recipient or the text first). Retrying is the delivery row's job
(``channels.actions.deliver``): its back-off survives a worker restart, a sleep in here would not.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from schwarmdesk.channels.adapters.base import PermanentSendError, SendError, TransientSendError

log = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_MAX_SECONDS = 6 * 3600.0
MAX_ATTEMPTS = 8
USER_AGENT = "Schwarmdesk (+https://github.com/schwarmdesk)"

Classifier = Callable[[httpx.Response], SendError | None]

_client: httpx.Client | None = None
_lock = threading.Lock()


def get_client() -> httpx.Client:
    global _client  # noqa: PLW0603 -- one pooled client per process, created on first use
    with _lock:
        if _client is None:
            _client = httpx.Client(
                timeout=TIMEOUT,
                headers={"User-Agent": USER_AGENT},
                follow_redirects=False,
                limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
            )
        return _client


def request(
    method: str,
    url: str,
    *,
    json: object = None,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    classify: Classifier | None = None,
) -> httpx.Response:
    """Send one request; return a 2xx response or raise a Transient/PermanentSendError."""
    try:
        response = get_client().request(method, url, json=json, params=params, headers=headers)
    except httpx.TimeoutException:
        raise TransientSendError("timeout") from None
    except httpx.TransportError as error:
        raise TransientSendError(f"connection failed ({error.__class__.__name__})") from None
    if classify is not None and (problem := classify(response)) is not None:
        raise problem
    status = response.status_code
    if status == 429 or status >= 500:
        raise TransientSendError(
            f"HTTP {status}", status=status, retry_after=parse_retry_after(response)
        )
    if status >= 400:
        raise PermanentSendError(f"HTTP {status}", status=status)
    return response


def parse_retry_after(response: httpx.Response, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta seconds or an HTTP date), or None."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_seconds(attempt: int, retry_after: float | None = None) -> float:
    """Exponential back-off for the n-th failed attempt (1-based), never below Retry-After."""
    delay = min(BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0), BACKOFF_MAX_SECONDS)
    return float(max(delay, retry_after or 0.0))
