"""Markdown (articles, questions, answers) to safe HTML, and to plain text for the search index.

markdown-it-py runs in CommonMark mode with raw HTML switched off, so ``<script>`` in an article
is shown as text; its link validation drops ``javascript:``, ``vbscript:`` and ``data:`` links;
and the result still goes through the project's HTML sanitiser, like everything written by
someone else.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from schwarmdesk.core.html import sanitize_html

_INLINE_TEXT = frozenset({"text", "code_inline"})
_INLINE_BREAKS = frozenset({"softbreak", "hardbreak"})
_CODE_BLOCKS = frozenset({"fence", "code_block"})


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
        ["table", "strikethrough"]
    )


def render_markdown(source: str) -> str:
    """Return sanitised HTML for an article body."""
    return sanitize_html(_parser().render(source))


def markdown_to_text(source: str) -> str:
    """Return the words of an article body without Markdown syntax, one block per line."""
    blocks: list[str] = []
    for token in _parser().parse(source):
        if token.type == "inline":
            text = _inline_text(token.children or [])
        elif token.type in _CODE_BLOCKS:
            text = token.content
        else:
            continue
        text = " ".join(text.split())
        if text:
            blocks.append(text)
    return "\n".join(blocks)


def _inline_text(children: list[Token]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in _INLINE_TEXT:
            parts.append(child.content)
        elif child.type in _INLINE_BREAKS:
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)  # the alt text
    return "".join(parts)
