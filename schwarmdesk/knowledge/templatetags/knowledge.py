"""Template filters for help-center articles."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import ngettext

from schwarmdesk.core.markdown import markdown_to_text

register = template.Library()


@register.filter
def excerpt(source: str, length: int = 160) -> str:
    """The first words of an article as plain text (escaped by the template as usual)."""
    return Truncator(" ".join(markdown_to_text(source).split())).chars(length)


@register.simple_tag
def article_count(count: int) -> str:
    """ "1 article" / "4 articles", translated (the template test reads no plural blocks)."""
    return ngettext("%(count)s article", "%(count)s articles", count) % {"count": count}


@register.simple_tag
def results_summary(count: int, query: str) -> SafeString:
    """ "3 articles found for “router”", translated; the query is escaped."""
    message = ngettext(
        "%(count)s article found for “%(query)s”", "%(count)s articles found for “%(query)s”", count
    )
    return format_html(
        message.replace("%(count)s", "{count}").replace("%(query)s", "{query}"),
        count=count,
        query=query,
    )
