from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from schwarmdesk.conversations.models import Attachment, Conversation, Message, Tag, Visibility
from schwarmdesk.search.duplicates import find_similar
from schwarmdesk.search.models import Kind


class MessageInline(admin.StackedInline[Message, Conversation]):
    model = Message
    extra = 0
    fields = [
        "direction",
        "visibility",
        "channel_kind",
        "author_customer",
        "author_agent",
        "body_text",
        "created_at",
    ]
    readonly_fields = ["created_at"]
    raw_id_fields = ["author_customer", "author_agent"]


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin[Conversation]):
    list_display = [
        "reference",
        "subject",
        "customer",
        "status",
        "priority",
        "origin_channel",
        "assignee",
        "team",
        "message_count",
        "created_at",
    ]
    list_filter = ["status", "priority", "origin_channel", "team", "language", "tags"]
    search_fields = ["subject", "customer__display_name", "messages__body_text"]
    list_select_related = ["customer", "assignee", "team"]
    raw_id_fields = ["customer", "assignee"]
    filter_horizontal = ["tags"]
    readonly_fields = [
        "message_count",
        "inbound_count",
        "outbound_count",
        "note_count",
        "created_at",
        "updated_at",
        "last_message_at",
        "first_response_at",
        "solved_at",
        "closed_at",
    ]
    inlines = [MessageInline]
    date_hierarchy = "created_at"
    change_form_template = "admin/conversations/conversation/change_form.html"

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Next to the conversation: related help articles and similar solved conversations."""
        context = dict(extra_context or {})
        conversation = self.get_object(request, object_id)
        if conversation is not None:
            first = (
                conversation.messages.exclude(visibility=Visibility.INTERNAL)
                .order_by("created_at")
                .values_list("body_text", flat=True)
                .first()
            )
            text = f"{conversation.subject}\n{first or ''}"
            context["related_articles"] = find_similar(
                request.user, text, kinds=[Kind.ARTICLE], limit=5
            )
            context["similar_conversations"] = [
                item
                for item in find_similar(
                    request.user,
                    text,
                    kinds=[Kind.CONVERSATION],
                    exclude=(Kind.CONVERSATION, conversation.pk),
                    limit=5,
                )
            ]
        return super().change_view(request, object_id, form_url, context)

    @admin.display(description="#")
    def reference(self, obj: Conversation) -> str:
        return obj.reference


class AttachmentInline(admin.TabularInline[Attachment, Message]):
    model = Attachment
    extra = 0
    fields = ["filename", "content_type", "size", "file"]
    readonly_fields = ["filename", "content_type", "size", "file"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = ["pk", "conversation", "direction", "visibility", "channel_kind", "created_at"]
    list_filter = ["direction", "visibility", "channel_kind"]
    search_fields = ["body_text", "external_id"]
    raw_id_fields = ["conversation", "author_customer", "author_agent"]
    readonly_fields = ["raw_payload", "created_at"]
    inlines = [AttachmentInline]
    list_select_related = ["conversation"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    search_fields = ["name"]
