"""HTML mail to readable plain text: a small, careful converter on the standard library.

Script, style and head contents are dropped, block elements become line breaks, list items get
a dash, links keep their address when it differs from their text, entities are decoded and runs
of white space collapse as a browser would. (html2text is GPL; this is all a mail needs.)
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript"})
BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt",
        "fieldset", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul",
    }
)  # fmt: skip
PARAGRAPHS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul"})
SPACES = re.compile(r"[ \t\r\n\f\u200b]+")


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skip_depth = 0
        self.pre_depth = 0
        self.links: list[str] = []

    def _break(self, blank: bool = False) -> None:
        joined = "".join(self.current)
        line = joined.rstrip(" ") if self.pre_depth else joined.strip(" ")
        self.current = []
        if line:
            self.lines.append(line)
        if blank and self.lines and self.lines[-1] != "":
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skip_depth += 1
        elif tag == "br":
            self._break()
        elif tag in BLOCKS:
            self._break(blank=tag in PARAGRAPHS)
            if tag == "li":
                self.current.append("- ")
            elif tag == "pre":
                self.pre_depth += 1
        elif tag in ("td", "th") and self.current:
            self.current.append(" ")
        elif tag == "a":
            self.links.append(dict(attrs).get("href") or "")
        elif tag == "img" and (alt := dict(attrs).get("alt")):
            self.current.append(alt)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skip_depth = max(self.skip_depth - 1, 0)
        elif tag in BLOCKS:
            if tag == "pre":
                self.pre_depth = max(self.pre_depth - 1, 0)
            self._break(blank=tag in PARAGRAPHS)
        elif tag == "a" and self.links:
            href = self.links.pop()
            text = "".join(self.current)
            if href.startswith(("http://", "https://")) and href not in text:
                self.current.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.pre_depth:
            *complete, rest = data.split("\n")
            for part in complete:
                self.current.append(part)
                self._break()
            self.current.append(rest)
            return
        text = SPACES.sub(" ", data)
        if not self.current or "".join(self.current).endswith(" "):
            text = text.lstrip(" ")
        self.current.append(text)

    def text(self) -> str:
        self._break()
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines)


def html_to_text(html: str) -> str:
    converter = _Converter()
    converter.feed(html)
    converter.close()
    return converter.text()
