"""The `markdown` filter for everything written in Markdown (articles, questions, answers)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from schwarmdesk.core.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(source: str) -> SafeString:
    """Markdown as sanitised HTML (raw HTML in the source is shown as text)."""
    return mark_safe(render_markdown(source))  # noqa: S308 -- sanitised by nh3 in render_markdown
