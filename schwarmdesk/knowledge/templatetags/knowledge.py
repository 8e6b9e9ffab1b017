"""Template filters for help-center articles."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import ngettext

from schwarmdesk.community.models import Question
from schwarmdesk.core.markdown import markdown_to_text
from schwarmdesk.knowledge.models import Article, Category
from schwarmdesk.knowledge.queries import agent_of

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


@register.inclusion_tag("knowledge/_promote_form.html", takes_context=True)
def promote_form(context: dict[str, Any], question: Question) -> dict[str, Any]:
    """For agents, under a solved question: "turn this into a help article"."""
    request = context["request"]
    is_possible = (
        agent_of(request.user) is not None
        and question.accepted_answer_id is not None
        and not Article.objects.filter(source_question=question).exists()
    )
    return {
        "request": request,
        "question": question,
        "is_possible": is_possible,
        "categories": Category.objects.order_by("position", "name") if is_possible else [],
    }
