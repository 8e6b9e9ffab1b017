"""Template helpers for community pages: public names, counts, query strings."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import AbstractBaseUser
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from schwarmdesk.community import queries
from schwarmdesk.community.models import Answer, Category, Question

register = template.Library()


@register.filter
def public_name(user: AbstractBaseUser | None) -> str:
    """ "Anna S." for a customer, the display name for an agent."""
    return queries.public_name(user)


@register.filter
def initials_of(name: str) -> str:
    letters = [word[0] for word in name.split() if word[:1].isalpha()]
    return "".join(letters[:2]).upper() or "?"


@register.filter
def vote_of(my_votes: dict[str, int], post: Question | Answer) -> int:
    """The reader's vote on a post: +1, -1 or 0."""
    prefix = "q" if isinstance(post, Question) else "a"
    return my_votes.get(f"{prefix}{post.pk}", 0)


@register.simple_tag
def answer_count(count: int) -> str:
    return ngettext("%(count)s answer", "%(count)s answers", count) % {"count": count}


@register.simple_tag
def vote_count(count: int) -> str:
    return ngettext("%(count)s vote", "%(count)s votes", count) % {"count": count}


@register.simple_tag
def similarity(percent: int) -> str:
    """ "87 % similar", translated."""
    return _("%(percent)s %% similar") % {"percent": percent}


@register.simple_tag
def question_count(count: int) -> str:
    return ngettext("%(count)s question", "%(count)s questions", count) % {"count": count}


@register.simple_tag
def with_query(query: QueryDict, **changes: Any) -> str:
    """The current query string with some parameters changed ("" removes one); a new filter
    starts again at page 1."""
    updated = query.copy()
    if "page" not in changes:
        updated.pop("page", None)
    for key, value in changes.items():
        if value in ("", None):
            updated.pop(key, None)
        else:
            updated[key] = str(value)
    encoded = updated.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def name_in(category: Category, language: str) -> str:
    return category.name_in(language)
