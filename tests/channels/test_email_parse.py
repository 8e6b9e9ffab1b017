"""Every recorded .eml fixture parses to exactly these messages, or is refused for this reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from schwarmdesk.channels.adapters.base import (
    ChannelConfig,
    Ignored,
    InboundAttachment,
    InboundMessage,
    InboundRequest,
    ParseError,
    Sender,
)
from schwarmdesk.channels.adapters.email import MAIL_FILTERS, Email
from schwarmdesk.channels.adapters.html_text import html_to_text
from schwarmdesk.channels.kinds import ChannelKind
from tests.channels.conftest import FIXTURES, OPTIONS, fixture_bytes

CET = timezone(timedelta(hours=1))
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def context(message_id: str, subject: str, *, references: str = "", **extra: str) -> dict[str, str]:
    return {
        "address": extra.get("address", "carol@example.com"),
        "name": extra.get("name", "Carol Clausen"),
        "message_id": f"<{message_id}>",
        "references": references or f"<{message_id}>",
        "subject": subject,
        "language": extra.get("language", ""),
    }


CAROL = Sender("carol@example.com", "carol@example.com", "Carol Clausen", "", is_verified=False)

EXPECTED: dict[str, list[InboundMessage]] = {
    "plain.eml": [
        InboundMessage(
            kind=ChannelKind.EMAIL,
            external_id="20261123091234.4711@mail.example.com",
            sender=Sender(
                "carol@example.com", "carol@example.com", "Carol Clausen", "de", is_verified=False
            ),
            text=(
                "Hallo,\n\nmein Zug RE 7 ist heute früh ausgefallen. Bekomme ich das Geld "
                "zurück?\n\nViele Grüße\nCarol"
            ),
            sent_at=datetime(2026, 11, 23, 9, 12, 34, tzinfo=CET),
            is_public=False,
            thread_key="mail:20261123091234.4711@mail.example.com",
            reply_context=context(
                "20261123091234.4711@mail.example.com",
                "Mein Zug RE 7 ist ausgefallen",
                language="de",
            ),
            subject="Mein Zug RE 7 ist ausgefallen",
        )
    ],
    "html_only.eml": [
        InboundMessage(
            kind=ChannelKind.EMAIL,
            external_id="CAHtml0001@mail.example.com",
            sender=Sender(
                "dave@example.com", "dave@example.com", "Dave Dietrich", is_verified=False
            ),
            text=(
                "Hello,\n\nmy invoice INV-2026-11 shows the wrong & old address.\n\n"
                "- Street: Hauptstraße 1\n- City: Kiel\n\n"
                "See my account (https://example.com/account).\nThanks,\nDave"
            ),
            sent_at=datetime(2026, 11, 23, 10, 5, tzinfo=UTC),
            is_public=False,
            thread_key="mail:CAHtml0001@mail.example.com",
            reply_context=context(
                "CAHtml0001@mail.example.com",
                "Invoice question",
                address="dave@example.com",
                name="Dave Dietrich",
            ),
            subject="Invoice question",
            html=(
                "<p>Hello,</p><p>my invoice <b>INV-2026-11</b> shows the wrong &amp; old "
                "address.</p>\n<ul><li>Street: Hauptstraße 1</li><li>City: Kiel</li></ul>\n"
                '<p>See <a href="https://example.com/account" '
                'rel="noopener noreferrer nofollow">my account</a>.<br>Thanks,<br>Dave</p>'
            ),
        )
    ],
    "alternative_with_attachment.eml": [
        InboundMessage(
            kind=ChannelKind.EMAIL,
            external_id="attach-0001@mail.example.com",
            sender=CAROL,
            text="Here is the receipt for my ticket.",
            sent_at=datetime(2026, 11, 24, 8, 0, tzinfo=CET),
            is_public=False,
            thread_key="mail:attach-0001@mail.example.com",
            reply_context=context("attach-0001@mail.example.com", "Ticket receipt attached"),
            subject="Ticket receipt attached",
            html="<p>Here is the <strong>receipt</strong> for my ticket.</p>",
            attachments=(InboundAttachment("receipt.pdf", "application/pdf", PDF),),
        )
    ],
    "reply.eml": [
        InboundMessage(
            kind=ChannelKind.EMAIL,
            external_id="reply-0002@mail.example.com",
            sender=CAROL,
            text=(
                "Danke! Die Buchungsnummer ist ABC123.\n\n"
                "Am 23.11.2026 um 10:00 schrieb Nordlicht Support:\n"
                "> Bitte nennen Sie uns Ihre Buchungsnummer."
            ),
            sent_at=datetime(2026, 11, 23, 11, 30, tzinfo=CET),
            is_public=False,
            thread_key="mail:20261123091234.4711@mail.example.com",
            reply_to_external_id="schwarmdesk.schwarmdesk-delivery-7@example.com",
            reply_context=context(
                "reply-0002@mail.example.com",
                "Re: Mein Zug RE 7 ist ausgefallen [#SD-000042]",
                references=(
                    "<20261123091234.4711@mail.example.com> "
                    "<schwarmdesk.schwarmdesk-delivery-7@example.com> "
                    "<reply-0002@mail.example.com>"
                ),
            ),
            subject="Re: Mein Zug RE 7 ist ausgefallen [#SD-000042]",
            references=(
                "20261123091234.4711@mail.example.com",
                "schwarmdesk.schwarmdesk-delivery-7@example.com",
            ),
            case_number=42,
        )
    ],
    "umlaut_subject.eml": [
        InboundMessage(
            kind=ChannelKind.EMAIL,
            external_id="umlaut-0003@mail.example.com",
            sender=Sender(
                "juergen@example.com", "juergen@example.com", "Jürgen Müller", is_verified=False
            ),
            text=(
                "Sehr geehrte Damen und Herren,\n\n"
                "ich möchte die Rückerstattung für meinen gekündigten Vertrag.\n\n"
                "Grüße\nJürgen Müller"
            ),
            sent_at=datetime(2026, 11, 25, 14, 0, tzinfo=CET),
            is_public=False,
            thread_key="mail:umlaut-0003@mail.example.com",
            reply_context=context(
                "umlaut-0003@mail.example.com",
                "Rückerstattung für gekündigten Vertrag \u2013 dringend",
                address="juergen@example.com",
                name="Jürgen Müller",
            ),
            subject="Rückerstattung für gekündigten Vertrag \u2013 dringend",
        )
    ],
}
REFUSED: dict[str, str] = {
    "ignored_auto_reply.eml": "automatic reply (Auto-Submitted: auto-replied)",
    "ignored_bounce.eml": "bounce (delivery-status)",
    "ignored_loop.eml": "mail loop (X-Loop is ours)",
    "ignored_bulk.eml": "bulk mail (Precedence: bulk)",
}


def adapter(**options: str) -> Email:
    return Email(ChannelConfig(channel_id=1, api_base_url="", options=OPTIONS["email"] | options))


def parse(raw: bytes, **options: str) -> list[InboundMessage]:
    return list(adapter(**options).parse(InboundRequest("IMAP", raw, {})))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_parses_to_exactly(name: str) -> None:
    assert parse(fixture_bytes("email", name)) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_fixture_is_refused_with_its_reason(name: str) -> None:
    with pytest.raises(Ignored) as refused:
        parse(fixture_bytes("email", name))
    assert str(refused.value) == REFUSED[name]


def test_every_fixture_is_checked() -> None:
    on_disk = {path.name for path in (FIXTURES / "email").iterdir()}
    assert on_disk == set(EXPECTED) | set(REFUSED)
    assert all(name.startswith("ignored_") for name in REFUSED)


MAIL = (
    b"From: Carol <carol@example.com>\nTo: support@example.com\nSubject: Hi\n"
    b"Message-ID: <m1@example.com>\nDate: Mon, 23 Nov 2026 09:00:00 +0000\n"
)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        (b"From: Us <Support@Example.com>\n", "sent from our own address"),
        (b"X-Loop: support@example.com\n", "mail loop (X-Loop is ours)"),
        (b"From: postmaster@example.org\n", "bounce (from the mailer daemon)"),
        (b"Auto-Submitted: auto-generated; owner-email=x@example.com\n", "automatic reply"),
        (b"X-Autoreply: yes\n", "automatic reply (x-autoreply)"),
        (b"X-Auto-Response-Suppress: OOF\n", "automatic reply (X-Auto-Response-Suppress)"),
        (b"Precedence: junk\n", "bulk mail (Precedence: junk)"),
        (b"Precedence: list\n", "bulk mail (Precedence: list)"),
        (b"Return-Path: <>\n", "null return path (bounce or automatic notice)"),
    ],
)
def test_each_filter_names_its_reason(headers: bytes, reason: str) -> None:
    raw = headers + MAIL.replace(b"From: Carol", b"X-Original-From: Carol") + b"\nHello\n"
    if not headers.startswith(b"From:"):
        raw = headers + MAIL + b"\nHello\n"
    with pytest.raises(Ignored, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse(raw)


def test_filters_are_an_ordered_tuple_in_code() -> None:
    assert isinstance(MAIL_FILTERS, tuple)
    assert [check.__name__ for check in MAIL_FILTERS] == [
        "is_own_mail",
        "is_loop",
        "is_bounce",
        "is_auto_submitted",
        "is_auto_reply",
        "is_bulk",
        "has_null_return_path",
    ]


def test_auto_submitted_no_and_normal_precedence_are_answered() -> None:
    raw = b"Auto-Submitted: no\nPrecedence: first-class\n" + MAIL + b"\nHello\n"
    assert [message.text for message in parse(raw)] == ["Hello"]


@pytest.mark.parametrize(
    "raw",
    [b"", b"   \n", b"Subject: no sender\n\nHello\n", b"From: nobody\n\nHello\n"],
    ids=["empty", "blank", "no-from", "no-address"],
)
def test_a_mail_without_a_sender_is_malformed(raw: bytes) -> None:
    with pytest.raises(ParseError):
        parse(raw)


def test_a_mail_without_message_id_or_date_gets_a_stable_id_from_its_bytes() -> None:
    raw = b"From: carol@example.com\nSubject: Hi\n\nHello\n"
    first, again = parse(raw)[0], parse(raw)[0]

    assert first.external_id == again.external_id
    assert first.external_id.startswith("sha256-")
    assert first.external_id.endswith("@missing-message-id")
    assert first.sent_at.tzinfo is not None


def test_an_empty_mail_body_yields_nothing_and_reply_to_is_where_replies_go() -> None:
    assert parse(MAIL + b"\n\n") == []
    [message] = parse(b"Reply-To: Carol Office <office@example.com>\n" + MAIL + b"\nHello\n")
    assert message.reply_context["address"] == "office@example.com"
    assert message.sender.external_id == "carol@example.com"


def test_an_undecodable_charset_is_malformed() -> None:
    raw = MAIL + b"Content-Type: text/plain; charset=no-such-charset\n\nHello\n"
    with pytest.raises(ParseError, match="cannot be decoded"):
        parse(raw)


def test_an_attachment_only_mail_names_its_files() -> None:
    raw = (
        MAIL + b'Content-Type: multipart/mixed; boundary="b"\n\n--b\n'
        b"Content-Type: image/png\nContent-Disposition: attachment; filename=shot.png\n"
        b"Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--b--\n"
    )
    [message] = parse(raw)
    assert message.text == "(shot.png)"
    assert message.attachments == (
        InboundAttachment("shot.png", "image/png", b"\x89PNG\r\n\x1a\n"),
    )


def test_html_to_text_handles_pre_tables_images_and_nesting() -> None:
    html = (
        "<div>Order<table><tr><td>A</td><td>B</td></tr></table>"
        '<pre>line 1\n  line 2\n</pre><img src="x.png" alt="logo">'
        '<a href="https://example.com/x">https://example.com/x</a>'
        "<noscript>hidden</noscript></div>"
    )
    assert html_to_text(html) == "Order\n\nA B\n\nline 1\n  line 2\nlogohttps://example.com/x"


def test_a_bounce_names_the_returned_message_and_the_diagnostic() -> None:
    with pytest.raises(Ignored) as refused:
        parse(fixture_bytes("email", "ignored_bounce.eml"))

    assert refused.value.bounced_ids == ("schwarmdesk.schwarmdesk-delivery-9@example.com",)
    assert refused.value.diagnostic == "smtp; 550 5.1.1 User unknown"
