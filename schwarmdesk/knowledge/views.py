"""The public help center: home, categories, articles, search and "Was this helpful?"."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from schwarmdesk.core.errors import Conflict, Invalid, NotFound
from schwarmdesk.knowledge import queries
from schwarmdesk.knowledge.actions import promote_answer, record_feedback
from schwarmdesk.knowledge.models import Article

MAX_QUERY = 200
ANSWERS = {"yes": True, "no": False}


class HtmxRequest(HttpRequest):
    htmx: HtmxDetails  # set by django_htmx.middleware.HtmxMiddleware


def _article_or_404(request: HttpRequest, language: str, slug: str) -> Article:
    try:
        return queries.get_article(request.user, language=language, slug=slug)
    except NotFound:
        raise Http404("no such article") from None


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    language = get_language()
    return render(
        request,
        "knowledge/home.html",
        {
            "categories": queries.list_categories(language),
            "popular": queries.list_popular_articles(language),
        },
    )


@require_GET
def category(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        found = queries.get_category(slug)
    except NotFound:
        raise Http404("no such category") from None
    language = get_language()
    return render(
        request,
        "knowledge/category.html",
        {
            "category": found,
            "name": found.name_in(language),
            "description": found.description_in(language),
            "parent_name": found.parent.name_in(language) if found.parent else "",
            "subcategories": queries.list_categories(language, parent=found),
            "articles": queries.list_category_articles(found, language),
        },
    )


@require_GET
def article(request: HttpRequest, language: str, slug: str) -> HttpResponse:
    found = _article_or_404(request, language, slug)
    return render(
        request,
        "knowledge/article.html",
        {
            "article": found,
            "category_name": found.category.name_in(get_language()),
            "translations": queries.list_translations(request.user, found),
            "related": queries.related_articles(request.user, found.title, exclude=found),
            "feedback": queries.given_feedback(
                found, reader=request.user, session_key=request.session.session_key
            ),
        },
    )


@require_GET
def search(request: HtmxRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:MAX_QUERY]
    hits = queries.search_articles(request.user, text) if text else []
    template = "knowledge/_search_results.html" if request.htmx else "knowledge/search.html"
    return render(request, template, {"query": text, "hits": hits})


@require_POST
def feedback(request: HtmxRequest, language: str, slug: str) -> HttpResponse:
    answer = ANSWERS.get(request.POST.get("helpful", ""))
    if answer is None:
        return HttpResponseBadRequest("helpful must be yes or no")
    found = _article_or_404(request, language, slug)
    if not request.user.is_authenticated and request.session.session_key is None:
        request.session.save()  # a visitor's first answer starts their session
    key = request.session.session_key or ""
    reader = request.user if request.user.is_authenticated else key
    try:
        found = record_feedback(
            reader, found, is_helpful=answer, comment=request.POST.get("comment", "")
        )
    except NotFound:
        raise Http404("no such article") from None
    if not request.htmx:
        return redirect(f"{found.get_absolute_url()}#feedback")
    given = queries.given_feedback(found, reader=request.user, session_key=key)
    return render(request, "knowledge/_feedback.html", {"article": found, "feedback": given})


@require_POST
def promote(request: HttpRequest, question_id: int) -> HttpResponse:
    """An agent turns a solved community question into a draft help article."""
    try:
        found_category = queries.get_category(request.POST.get("category", ""))
        article = promote_answer(request.user, question_id, category=found_category)
    except NotFound:
        raise Http404("no such question") from None
    except (Invalid, Conflict) as error:
        messages.error(request, str(error))
        return redirect(request.POST.get("next") or "/")
    messages.success(request, _("The draft article was created; check it and publish it."))
    return redirect(article.get_absolute_url())
