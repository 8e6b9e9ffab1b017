from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.template.response import TemplateResponse

from schwarmdesk.search.models import SearchDocument
from schwarmdesk.search.semantic import semantic_search_status


@admin.register(SearchDocument)
class SearchDocumentAdmin(admin.ModelAdmin[SearchDocument]):
    list_display = ["title", "kind", "object_id", "audience", "language", "embedding_model"]
    list_filter = ["kind", "audience", "language", "embedding_model"]
    search_fields = ["title"]
    readonly_fields = [
        "kind",
        "object_id",
        "audience",
        "team_id",
        "language",
        "title",
        "body",
        "url",
        "category",
        "tags",
        "quality",
        "title_terms",
        "body_terms",
        "embedding_model",
        "embedded_at",
        "updated_at",
    ]
    exclude = ["embedding"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # entries come from the content; `schwarmdesk reindex` rebuilds them

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        is_on, reason = semantic_search_status()
        self.message_user(request, reason, level=messages.INFO if is_on else messages.WARNING)
        return super().changelist_view(request, extra_context)  # type: ignore[return-value]  # always a TemplateResponse here
