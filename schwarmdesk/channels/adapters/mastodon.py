"""Mastodon: mentions and direct messages polled from the REST API, replies as statuses.

In: ``GET /api/v1/notifications?types[]=mention&since_id=…`` (https://docs.joinmastodon.org/
methods/notifications/); a direct message is a mention whose status has ``visibility: direct``.
Out: ``POST /api/v1/statuses`` with ``in_reply_to_id`` and the customer's visibility
(https://docs.joinmastodon.org/methods/statuses/#create), an ``Idempotency-Key`` per delivery.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

from schwarmdesk.channels import http
from schwarmdesk.channels.adapters.base import (
    Capabilities,
    ChannelAdapter,
    InboundMessage,
    InboundRequest,
    OutboundMessage,
    ParseError,
    PermanentSendError,
    Sender,
)
from schwarmdesk.channels.adapters.payload import Obj, load_list, load_object
from schwarmdesk.channels.kinds import ChannelKind

VISIBILITIES = ("public", "unlisted", "private", "direct")
PAGE_SIZE = 40


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    return "".join(extractor.parts).strip()


@dataclass(frozen=True)
class Status:
    id: str
    text: str
    visibility: str
    created_at: datetime
    in_reply_to_id: str
    account_acct: str
    account_name: str
    language: str

    @classmethod
    def from_json(cls, status: Obj, host: str) -> Status:
        account = status.obj("account")
        visibility = status.str("visibility")
        if visibility not in VISIBILITIES:
            raise ParseError(f"{status.path}.visibility is {visibility!r}")
        try:
            created_at = datetime.fromisoformat(status.str("created_at"))
        except ValueError:
            raise ParseError(f"{status.path}.created_at is not an ISO date") from None
        if created_at.tzinfo is None:
            raise ParseError(f"{status.path}.created_at has no time zone")
        acct = account.str("acct")
        return cls(
            id=status.id("id"),
            text=html_to_text(status.str("content")),
            visibility=visibility,
            created_at=created_at,
            in_reply_to_id=status.opt_str("in_reply_to_id"),
            account_acct=(acct if "@" in acct else f"{acct}@{host}").lower(),
            account_name=account.opt_str("display_name") or account.str("username"),
            language=status.opt_str("language"),
        )


@dataclass(frozen=True)
class Poll:
    request: InboundRequest
    newest_id: str


class Mastodon(ChannelAdapter):
    kind = ChannelKind.MASTODON
    capabilities = Capabilities(
        threads=True,
        attachments=True,
        max_length=500,
        has_webhook=False,
        is_polled=True,
        repeat_send_is_safe=True,  # Mastodon keeps the Idempotency-Key of a status for an hour
    )
    secret_names = ("access_token",)

    @property
    def host(self) -> str:
        return urlsplit(self.api_base_url).netloc.lower()

    def verify(self, req: InboundRequest) -> None:
        """Polled with our own token over HTTPS: the response is authentic by construction."""

    def poll(self, since_id: str) -> Poll:
        token = self.config.secret("access_token")
        if not token:
            raise PermanentSendError("no access_token configured")
        params = {"types[]": "mention", "limit": str(PAGE_SIZE)}
        if since_id:
            params["since_id"] = since_id
        response = http.request(
            "GET",
            f"{self.api_base_url}/api/v1/notifications",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
        )
        ids = [notification.id("id") for notification in load_list(response.content)]
        newest = max(ids, key=lambda value: (len(value), value), default=since_id)
        request = InboundRequest(method="GET", body=response.content, headers={})
        return Poll(request=request, newest_id=newest)

    def parse(self, req: InboundRequest) -> Iterator[InboundMessage]:
        for notification in load_list(req.body):
            if notification.str("type") != "mention" or "status" not in notification:
                continue
            status = Status.from_json(notification.obj("status"), self.host)
            if not status.text:
                continue
            yield InboundMessage(
                kind=self.kind,
                external_id=f"{self.host}/{status.id}",
                sender=Sender(
                    external_id=status.account_acct,
                    handle=f"@{status.account_acct}",
                    display_name=status.account_name,
                    language=status.language if status.language in ("de", "en") else "",
                ),
                text=status.text,
                sent_at=status.created_at,
                is_public=status.visibility in ("public", "unlisted"),
                thread_key=(
                    f"{'direct' if status.visibility == 'direct' else 'mention'}:"
                    f"{status.account_acct}"
                ),
                reply_to_external_id=(
                    f"{self.host}/{status.in_reply_to_id}" if status.in_reply_to_id else ""
                ),
                reply_context={
                    "status_id": status.id,
                    "acct": status.account_acct,
                    "visibility": status.visibility,
                },
            )

    def send(self, out: OutboundMessage) -> str:
        token = self.config.secret("access_token")
        if not token:
            raise PermanentSendError("no access_token configured")
        acct = out.reply_context["acct"]
        visibility = out.reply_context.get("visibility", "direct") if out.is_public else "direct"
        mention = f"@{acct}"
        text = out.text if mention in out.text else f"{mention} {out.text}"
        headers = {"Authorization": f"Bearer {token}"}
        if out.idempotency_key:
            headers["Idempotency-Key"] = out.idempotency_key
        response = http.request(
            "POST",
            f"{self.api_base_url}/api/v1/statuses",
            json={
                "status": self.truncate(text),
                "in_reply_to_id": out.reply_context["status_id"],
                "visibility": visibility,
            },
            headers=headers,
        )
        return f"{self.host}/{load_object(response.content).id('id')}"
