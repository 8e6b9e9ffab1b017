from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "schwarmdesk.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from schwarmdesk.conversations.indexing import register_source  # noqa: PLC0415

        register_source()
