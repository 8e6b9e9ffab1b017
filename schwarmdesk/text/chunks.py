"""Splitting a document into the chunks that get a vector of their own: its sentences.

A long help article answers many questions; the best-matching sentence says more about a
query than the vector of the whole article (measured in ``schwarmdesk eval search``).
"""

from __future__ import annotations

import re

SENTENCE_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ0-9\"„“])")
MAX_CHUNKS = 64


def split_chunks(text: str) -> list[str]:
    """The sentences of ``text`` (the whole text when it has no boundary), at most MAX_CHUNKS."""
    chunks = [part.strip() for part in SENTENCE_BOUNDARY.split(text)]
    return ([chunk for chunk in chunks if chunk] or [text])[:MAX_CHUNKS]
