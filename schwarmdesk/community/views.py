"""The public community pages. Reading needs no account; every write needs a login and goes
through one action. Refusals come back as a message on the page they came from."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from schwarmdesk.community import actions, queries
from schwarmdesk.community.models import Answer, Category, Comment, Question, Visibility
from schwarmdesk.community.uploads import Upload
from schwarmdesk.core.errors import Conflict, Forbidden, Invalid, NotFound

P = ParamSpec("P")
VOTES = {"up": 1, "down": -1}


class HtmxRequest(HttpRequest):
    htmx: HtmxDetails  # set by django_htmx.middleware.HtmxMiddleware


View = Callable[Concatenate[HtmxRequest, P], HttpResponse]


def domain_errors(view: View[P]) -> View[P]:
    """NotFound → 404; a visitor without login → the login page; any other refusal → a
    message on the page the form was on."""

    @wraps(view)
    def wrapped(request: HtmxRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404("not found") from None
        except Forbidden as error:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            return _refused(request, str(error), status=403)
        except (Invalid, Conflict) as error:
            return _refused(request, str(error), status=400)

    return wrapped


def _refused(request: HtmxRequest, message: str, *, status: int) -> HttpResponse:
    if request.htmx:
        return render(request, "community/_error.html", {"message": message}, status=status)
    messages.error(request, message)
    back = request.headers.get("referer", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=False):
        back = reverse("community:home")
    return redirect(back)


def _uploads(request: HttpRequest) -> list[Upload]:
    files: list[UploadedFile[bytes]] = request.FILES.getlist("images")
    return [
        Upload(filename=f.name or "", content=f.read(), content_type=f.content_type or "")
        for f in files
    ]


def _list_page(request: HttpRequest, category: Category | None = None) -> HttpResponse:
    filters = queries.ListFilter.parse(
        request.GET.get("sort", ""),
        category.slug if category else request.GET.get("category", ""),
        request.GET.get("tag", ""),
        request.GET.get("language", ""),
    )
    language = get_language()
    return render(
        request,
        "community/home.html",
        {
            "page": queries.list_questions(filters, page=request.GET.get("page", 1)),
            "filters": filters,
            "categories": queries.list_categories(language),
            "category": category,
            "category_name": category.name_in(language) if category else "",
            "category_description": category.description_in(language) if category else "",
        },
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


@require_GET
def category(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        found = queries.get_category(slug)
    except NotFound:
        raise Http404("no such category") from None
    return _list_page(request, found)


@require_GET
@domain_errors
def question(request: HtmxRequest, pk: int) -> HttpResponse:
    thread = queries.get_thread(request.user, pk)
    return render(
        request,
        "community/question.html",
        {
            "thread": thread,
            "question": thread.question,
            "category_name": thread.question.category.name_in(get_language()),
            "can_moderate": actions.is_staff(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def ask(request: HtmxRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = {key: request.POST.get(key, "") for key in ("title", "body", "category", "tags")}
    form["language"] = request.POST.get("language", "")
    form["category"] = form["category"] or request.GET.get("category", "")
    error = ""
    if request.method == "POST":
        found = Category.objects.filter(slug=form["category"]).first()
        try:
            if found is None:
                raise Invalid(_("Please choose a category."))
            created = actions.post_question(
                request.user,
                category=found,
                title=form["title"],
                body=form["body"],
                language=form["language"],
                tags=form["tags"].replace(",", " ").split(),
                images=_uploads(request),
            )
        except (Invalid, Conflict, Forbidden) as refused:
            error = str(refused)
        else:
            return redirect(created)
    context = {"form": form, "error": error, "categories": queries.list_categories(get_language())}
    return render(request, "community/ask.html", context, status=400 if error else 200)


@require_GET
def suggestions(request: HtmxRequest) -> HttpResponse:
    title = request.GET.get("title", "")[:200]
    found = queries.suggest(request.user, title)
    return render(request, "community/_suggestions.html", {"suggestions": found, "title": title})


@require_POST
@domain_errors
def deflect(request: HtmxRequest) -> HttpResponse:
    """ "This answers my question": a button in the ask form names the suggestion as
    ``target=question:12`` or ``target=article:3``."""
    kind, _sep, raw_id = request.POST.get("target", "").partition(":")
    if kind not in {"question", "article"} or not raw_id.isdigit():
        return HttpResponseBadRequest("target must be question:<id> or article:<id>")
    if not request.user.is_authenticated and request.session.session_key is None:
        request.session.save()  # a visitor's first click starts their session
    reader = request.user if request.user.is_authenticated else request.session.session_key or ""
    deflection = actions.record_deflection(
        reader,
        question_id=int(raw_id) if kind == "question" else None,
        article_id=int(raw_id) if kind == "article" else None,
        typed_title=request.POST.get("title", ""),
    )
    messages.success(request, _("Glad we could help - no need to ask."))
    target = deflection.question or deflection.article
    return redirect(target.get_absolute_url() if target else "community:home")


@require_POST
@domain_errors
def answer(request: HtmxRequest, pk: int) -> HttpResponse:
    posted = actions.post_answer(
        request.user, pk, body=request.POST.get("body", ""), images=_uploads(request)
    )
    messages.success(request, _("Thank you for your answer!"))
    if posted.visibility == Visibility.HELD:
        messages.info(request, _("A moderator checks your post before everyone can see it."))
    return redirect(posted.get_absolute_url())


@require_POST
@domain_errors
def comment(request: HtmxRequest, pk: int, target: str) -> HttpResponse:
    body = request.POST.get("body", "")
    if target == "answer":
        posted = actions.post_comment(request.user, answer_id=pk, body=body)
    else:
        posted = actions.post_comment(request.user, question_id=pk, body=body)
    question_id = posted.answer.question_id if posted.answer else posted.question_id
    url = reverse("community:question", kwargs={"pk": question_id})
    if posted.visibility == Visibility.HELD:
        messages.info(request, _("A moderator checks your post before everyone can see it."))
    return redirect(f"{url}#comment-{posted.pk}")


@require_POST
@domain_errors
def vote(request: HtmxRequest, pk: int, target: str) -> HttpResponse:
    choice = request.POST.get("vote", "")
    ids = {"answer_id": pk} if target == "answer" else {"question_id": pk}
    if choice == "retract":
        post = actions.retract_vote(request.user, **ids)
    elif choice in VOTES:
        actions.cast_vote(request.user, value=VOTES[choice], **ids)
        post = (
            actions.access_answer(request.user, pk)
            if target == "answer"
            else actions.access_question(request.user, pk)
        )
    else:
        return HttpResponseBadRequest("vote must be up, down or retract")
    mine = VOTES.get(choice, 0)
    if request.htmx:
        context = {"post": post, "target": target, "my_vote": mine}
        return render(request, "community/_votes.html", context)
    return redirect(post.get_absolute_url())


@require_POST
@domain_errors
def accept(request: HtmxRequest, pk: int) -> HttpResponse:
    solved = actions.accept_answer(request.user, pk)
    messages.success(request, _("The answer is accepted; the question is solved."))
    return redirect(solved)


@require_POST
@domain_errors
def solved(request: HtmxRequest, pk: int) -> HttpResponse:
    if request.POST.get("solved") == "no":
        changed = actions.reopen_question(request.user, pk)
    else:
        changed = actions.mark_solved(request.user, pk)
    return redirect(changed)


@require_http_methods(["GET", "POST"])
@domain_errors
def edit_question(request: HtmxRequest, pk: int) -> HttpResponse:
    found = actions.access_question(request.user, pk)
    return _edit_page(
        request,
        question=found,
        post=found,
        save=lambda: actions.edit_question(
            request.user,
            pk,
            title=request.POST.get("title", ""),
            body=request.POST.get("body", ""),
        ),
        done_url=found.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
@domain_errors
def edit_answer(request: HtmxRequest, pk: int) -> HttpResponse:
    found = actions.access_answer(request.user, pk)
    return _edit_page(
        request,
        question=found.question,
        post=found,
        save=lambda: actions.edit_answer(request.user, pk, body=request.POST.get("body", "")),
        done_url=found.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
@domain_errors
def edit_comment(request: HtmxRequest, pk: int) -> HttpResponse:
    found = actions.access_comment(request.user, pk)
    return _edit_page(
        request,
        question=found.answer.question if found.answer is not None else found.question,
        post=found,
        save=lambda: actions.edit_comment(request.user, pk, body=request.POST.get("body", "")),
        done_url=f"{reverse('community:question', args=[found.thread_id])}#comment-{pk}",
        is_comment=True,
    )


def _edit_page(
    request: HtmxRequest,
    *,
    question: Question | None,
    post: Question | Answer | Comment,
    save: Callable[[], object],
    done_url: str,
    **extra: object,
) -> HttpResponse:
    """The shared edit form: GET shows it, POST saves through ``save`` and goes to
    ``done_url``; a refused text is shown again with the reason (400)."""
    error = ""
    if request.method == "POST":
        try:
            save()
        except Invalid as refused:
            error = str(refused)
        else:
            return redirect(done_url)
    elif not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    context = {
        "question": question,
        "post": post,
        "error": error,
        "form": request.POST,
        **extra,
    }
    return render(request, "community/edit.html", context, status=400 if error else 200)


@require_GET
@domain_errors
def history(request: HtmxRequest, pk: int, target: str) -> HttpResponse:
    ids = {f"{target}_id": pk}
    found, revisions = queries.list_revisions(request.user, **ids)
    context = {"question": found, "revisions": revisions, "target": target}
    return render(request, "community/history.html", context)


@require_POST
@domain_errors
def delete(request: HtmxRequest, pk: int, target: str) -> HttpResponse:
    if target == "answer":
        removed = actions.delete_answer(request.user, pk)
        return redirect(removed.question)
    actions.delete_question(request.user, pk)
    messages.success(request, _("The question was deleted."))
    return redirect("community:home")
