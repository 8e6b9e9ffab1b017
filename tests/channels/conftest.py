"""Channels test kit: configured channels, signed webhook posts, a localhost fake API server."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.test import Client
from pytest_django import Settings as SettingsWrapper

from schwarmdesk.channels import batch, health
from schwarmdesk.channels.actions import configure_channel
from schwarmdesk.channels.adapters import ADAPTERS
from schwarmdesk.channels.adapters.x import sign
from schwarmdesk.channels.models import Channel
from tests.channels.mail_servers import imap_server, smtp_server  # noqa: F401 -- fixtures

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

FIXTURES = Path(__file__).parent / "fixtures"

SECRETS: dict[str, dict[str, str]] = {
    "telegram": {"bot_token": "123456:TEST-token", "webhook_secret": "tg-webhook-secret"},
    "facebook": {
        "app_secret": "fb-app-secret",
        "page_access_token": "fb-page-token",
        "verify_token": "fb-verify-token",
    },
    "x": {"consumer_secret": "x-consumer-secret", "access_token": "x-user-token"},
    "mastodon": {"access_token": "mastodon-token"},
    "email": {"imap_password": "imap-secret", "smtp_password": "smtp-secret"},
    "web_form": {},
    "web_chat": {},
}
ACCOUNT_IDS = {
    "telegram": "7000000001",
    "facebook": "104857600000001",
    "x": "1500000000000000001",
    "mastodon": "1",
    "email": "",
    "web_form": "",
    "web_chat": "",
}
# Mail channels: nothing listens on port 9 (discard) of the loopback; tests that send or poll
# point the channel at the local SMTP or IMAP server they start.
OPTIONS: dict[str, dict[str, str]] = {
    "email": {
        "address": "support@example.com",
        "from_name": "Nordlicht Support",
        "smtp_host": "127.0.0.1",
        "smtp_port": "9",
        "smtp_security": "none",
        "imap_host": "127.0.0.1",
        "imap_port": "9",
        "imap_security": "none",
    },
    "web_form": {"address": "support@example.com", "from_name": "Nordlicht Support"},
}
MASTODON_BASE = "https://mastodon.example.com"


@pytest.fixture(autouse=True)
def inline_webhooks(settings: SettingsWrapper) -> None:
    """The webhook view's tests see the messages stored in the request (``inline``); the
    default, ``queued``, is tested in test_batch.py and test_intake.py, which set it."""
    settings.WEBHOOK_PROCESSING = "inline"


@pytest.fixture(autouse=True)
def fresh_timestamp_throttles() -> None:
    """Channel ids repeat between tests: forget which hot-row timestamps were just written."""
    batch._last_event_noted.clear()
    health._verification_noted.clear()


def fixture_bytes(kind: str, name: str) -> bytes:
    return (FIXTURES / kind / name).read_bytes()


def signed_headers(kind: str, body: bytes) -> dict[str, str]:
    secrets = SECRETS[kind]
    if kind == "telegram":
        return {"X-Telegram-Bot-Api-Secret-Token": secrets["webhook_secret"]}
    if kind == "facebook":
        digest = hmac.new(secrets["app_secret"].encode(), body, hashlib.sha256).hexdigest()
        return {"X-Hub-Signature-256": f"sha256={digest}"}
    if kind == "x":
        return {"X-Twitter-Webhooks-Signature": sign(secrets["consumer_secret"], body)}
    return {}


def post_webhook(
    client: Client, channel: Channel, body: bytes, headers: dict[str, str] | None = None
) -> TestResponse:
    response = client.post(
        f"/channels/{channel.kind}/{channel.pk}/webhook/",
        data=body,
        content_type="application/json",
        headers=signed_headers(channel.kind, body) if headers is None else headers,
    )
    return response


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: object


@dataclass
class FakeApi:
    """Speaks just enough of each platform's API; scripted failures come first."""

    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    script: list[tuple[int, object, dict[str, str]]] = field(default_factory=list)
    notifications: list[object] = field(default_factory=list)

    def fail(self, status: int, body: object = None, headers: dict[str, str] | None = None) -> None:
        self.script.append((status, body if body is not None else {}, headers or {}))

    def answer(  # noqa: PLR0911 -- one answer per endpoint
        self, method: str, path: str
    ) -> tuple[int, object, dict[str, str]]:
        if self.script:
            return self.script.pop(0)
        if path.endswith("/sendMessage"):
            return 200, {"ok": True, "result": {"message_id": 99, "date": 1763900900}}, {}
        if path.endswith("/me/messages"):
            return 200, {"recipient_id": "6543210987654321", "message_id": "m_reply_1"}, {}
        if path.endswith("/comments"):
            return 200, {"id": "998877665544_5566778899"}, {}
        if path == "/2/tweets":
            return 201, {"data": {"id": "1860000000000000999", "text": "..."}}, {}
        if path.startswith("/2/dm_conversations/with/"):
            body = {
                "data": {"dm_conversation_id": "2002-1500", "dm_event_id": "1860000000000000998"}
            }
            return 201, body, {}
        if path.startswith("/api/v1/notifications"):
            return 200, self.notifications, {}
        if path == "/api/v1/statuses":
            return 200, {"id": "113541000000000001", "visibility": "public"}, {}
        return 404, {"error": "not found"}, {}


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    api = FakeApi()

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            api.requests.append(
                Recorded(
                    method=self.command,
                    path=self.path,
                    headers={name.lower(): value for name, value in self.headers.items()},
                    body=json.loads(raw) if raw else None,
                )
            )
            status, body, headers = api.answer(self.command, self.path.split("?")[0])
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _handle
        do_POST = _handle

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def make_channel(kind: str, api_base_url: str) -> Channel:
    return configure_channel(
        None,
        kind=kind,
        name=f"Test {kind}",
        secrets=SECRETS[kind],
        api_base_url=api_base_url,
        account_id=ACCOUNT_IDS[kind],
        options=OPTIONS.get(kind),
    )


@pytest.fixture
def channels(db: None, fake_api: FakeApi) -> dict[str, Channel]:
    """One channel per adapter, every one pointed at the localhost fake API."""
    return {kind: make_channel(kind, fake_api.url) for kind in ADAPTERS}
