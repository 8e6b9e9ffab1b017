"""The agent inbox pages: parse, authorise, call one action or query, render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from schwarmdesk.channels.actions import access_conversation
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.conversations.models import Priority, Status, Tag
from schwarmdesk.core.errors import Forbidden, Invalid, NotFound
from schwarmdesk.inbox import actions, queries
from schwarmdesk.people.models import Agent

View = Callable[..., HttpResponse]


def agent_view(view: View) -> View:
    """Anonymous visitors go to the login; users who are not agents get 404; the action's
    NotFound/Forbidden become 404 and Invalid a message on the conversation page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        agent = queries.inbox_agent(request.user)
        if agent is None:
            raise Http404("not found")
        try:
            return view(request, agent, *args, **kwargs)
        except (NotFound, Forbidden):
            raise Http404("not found") from None
        except Invalid as error:
            messages.error(request, str(error))
            target = kwargs.get("conversation_id")
            return redirect("inbox:conversation", target) if target else redirect("inbox:index")

    return wrapper


def _filters(request: HttpRequest) -> queries.Filters:
    get = request.GET
    priority = get.get("priority", "")
    return queries.Filters(
        queue=get.get("queue", "mine") if get.get("queue") in queries.QUEUES else "mine",
        status=get.get("status", "active"),
        channel=get.get("channel", ""),
        priority=int(priority) if priority.isdigit() else None,
        tag=get.get("tag", ""),
        language=get.get("language", ""),
        query=get.get("q", "")[:200],
    )


def _list_context(request: HttpRequest, agent: Agent) -> dict[str, Any]:
    filters = _filters(request)
    page = Paginator(queries.list_conversations(agent, filters), queries.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return {
        "agent": agent,
        "filters": filters,
        "page": page,
        "rows": queries.list_rows(list(page.object_list)),
        "counts": queries.queue_counts(agent),
        "queues": queries.QUEUES,
        "now": timezone.now(),
        "query_string": request.GET.urlencode(),
    }


@require_GET
@agent_view
def index(request: HttpRequest, agent: Agent) -> HttpResponse:
    context = _list_context(request, agent)
    context.update(
        statuses=Status.choices,
        channels=ChannelKind.choices,
        priorities=Priority.choices,
        tags=list(Tag.objects.values_list("name", flat=True)),
        mentions=queries.list_unread_mentions(agent),
    )
    return render(request, "inbox/index.html", context)


@require_GET
@agent_view
def conversation_list(request: HttpRequest, agent: Agent) -> HttpResponse:
    return render(request, "inbox/_list.html", _list_context(request, agent))


@require_GET
@agent_view
def conversation(request: HttpRequest, agent: Agent, conversation_id: int) -> HttpResponse:
    current = access_conversation(agent, conversation_id)
    actions.mark_mentions_read(agent, conversation_id=current.pk)
    timeline, hidden = queries.customer_timeline(agent, current.customer, current)
    previous, following = queries.neighbours(agent, current)
    return render(
        request,
        "inbox/conversation.html",
        {
            "agent": agent,
            "conversation": current,
            "previous_id": previous,
            "next_id": following,
            "thread": queries.list_thread(current),
            "sla": queries.conversation_sla(current),
            "now": timezone.now(),
            "others_replying": queries.list_other_replying(agent, current),
            "identities": list(current.customer.identities.all()),
            "merges": queries.list_merges(current.customer),
            "timeline": timeline,
            "hidden_conversations": hidden,
            "reply_channels": queries.list_reply_channels(current),
            "is_escalation": queries.is_escalation(current),
            "canned": [
                (reply, queries.render_canned(reply, conversation=current, agent=agent))
                for reply in queries.list_canned(current.language or current.customer.language)
            ],
            "agents": queries.list_agents(),
            "statuses": Status.choices,
            "priorities": Priority.choices,
            "tag_names": ", ".join(tag.name for tag in current.tags.all()),
        },
    )


@require_GET
@agent_view
def live(request: HttpRequest, agent: Agent, conversation_id: int) -> HttpResponse:
    """The parts of an open conversation that change: thread, SLA, who else is replying."""
    current = access_conversation(agent, conversation_id)
    return render(
        request,
        "inbox/_live.html",
        {
            "conversation": current,
            "thread": queries.list_thread(current),
            "sla": queries.conversation_sla(current),
            "now": timezone.now(),
            "others_replying": queries.list_other_replying(agent, current),
        },
    )


@require_GET
@agent_view
def related(request: HttpRequest, agent: Agent, conversation_id: int) -> HttpResponse:
    current = access_conversation(agent, conversation_id)
    articles, similar = queries.related_items(agent, current)
    return render(request, "inbox/_related.html", {"articles": articles, "similar": similar})


@require_POST
@agent_view
def reply(request: HttpRequest, agent: Agent, conversation_id: int) -> HttpResponse:
    channel = request.POST.get("channel", "")
    actions.reply(
        agent,
        conversation_id,
        body=request.POST.get("body", ""),
        channel_id=int(channel) if channel.isdigit() else None,
    )
    actions.stop_replying(agent, conversation_id)
    messages.success(request, _("Your reply is on its way."))
    return redirect("inbox:conversation", conversation_id)


@require_POST
@agent_view
def note(request: HttpRequest, agent: Agent, conversation_id: int) -> HttpResponse:
    actions.add_note(agent, conversation_id, body=request.POST.get("body", ""))
    messages.success(request, _("The internal note is saved."))
    return redirect("inbox:conversation", conversation_id)


@require_POST
@agent_view
def assign(request: HttpRequest, agent: Agent, conversation_id: int) -> HttpResponse:
    choice = request.POST.get("assignee", "")
    if choice == "round-robin":
        actions.assign_round_robin(agent, conversation_id)
    else:
        assignee = agent.pk if choice == "me" else int(choice) if choice.isdigit() else None
        actions.assign(agent, conversation_id, assignee_id=assignee)
    return redirect("inbox:conversation", conversation_id)


@require_POST
@agent_view
def update(request: HttpRequest, agent: Agent, conversation_id: int) -> HttpResponse:
    """Status, priority or tags, whichever the form sent."""
    post = request.POST
    if "status" in post:
        actions.change_status(agent, conversation_id, status=post["status"])
    if post.get("priority", "").isdigit():
        actions.change_priority(agent, conversation_id, priority=int(post["priority"]))
    if "tags" in post:
        actions.change_tags(agent, conversation_id, tags=post["tags"].split(","))
    return redirect("inbox:conversation", conversation_id)


@require_POST
@agent_view
def replying(request: HttpRequest, agent: Agent, conversation_id: int) -> HttpResponse:
    if request.POST.get("active", "1") == "1":
        actions.mark_replying(agent, conversation_id)
    else:
        actions.stop_replying(agent, conversation_id)
    return HttpResponse(status=204)


@require_POST
@agent_view
def retry(request: HttpRequest, agent: Agent, delivery_id: int) -> HttpResponse:
    delivery = actions.retry_delivery(agent, delivery_id)
    messages.success(request, _("The reply will be sent again."))
    return redirect("inbox:conversation", delivery.message.conversation_id)


@require_POST
@agent_view
def merge(request: HttpRequest, agent: Agent, conversation_id: int) -> HttpResponse:
    current = access_conversation(agent, conversation_id)
    source = request.POST.get("source", "").strip().lstrip("#")
    if not source.isdigit():
        raise Invalid(_("Give the number of the customer to merge into this one."))
    actions.merge_customers(
        agent, int(source), current.customer_id, reason=request.POST.get("reason", "")
    )
    messages.success(request, _("The customers are merged."))
    return redirect("inbox:conversation", conversation_id)


@require_POST
@agent_view
def split(request: HttpRequest, agent: Agent, conversation_id: int) -> HttpResponse:
    current = access_conversation(agent, conversation_id)
    identity_ids = [int(pk) for pk in request.POST.getlist("identity") if pk.isdigit()]
    actions.split_customer(
        agent,
        current.customer_id,
        identity_ids=identity_ids,
        display_name=request.POST.get("name", ""),
        reason=request.POST.get("reason", ""),
    )
    messages.success(request, _("The identities are split off into a new customer."))
    return redirect("inbox:conversation", conversation_id)


@require_POST
@agent_view
def unmerge(
    request: HttpRequest, agent: Agent, conversation_id: int, merge_id: int
) -> HttpResponse:
    access_conversation(agent, conversation_id)
    actions.unmerge_customers(agent, merge_id)
    messages.success(request, _("The merge is undone."))
    return redirect("inbox:conversation", conversation_id)


@require_POST
@agent_view
def availability(request: HttpRequest, agent: Agent) -> HttpResponse:
    actions.set_availability(agent, is_available=request.POST.get("available") == "1")
    return redirect("inbox:index")
