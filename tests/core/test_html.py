from __future__ import annotations

from schwarmdesk.core.html import sanitize_html


def test_scripts_handlers_and_javascript_links_are_removed() -> None:
    dirty = (
        '<p onclick="steal()">Hallo <script>alert(1)</script>'
        '<a href="javascript:alert(2)">x</a> <a href="https://example.com/">ok</a>'
        '<img src="x" onerror="alert(3)"><style>p{}</style></p>'
    )
    clean = sanitize_html(dirty)
    assert clean == (
        '<p>Hallo <a rel="noopener noreferrer nofollow">x</a> '
        '<a href="https://example.com/" rel="noopener noreferrer nofollow">ok</a>'
        '<img src="x"></p>'
    )


def test_empty_html_stays_empty() -> None:
    assert sanitize_html("") == ""
