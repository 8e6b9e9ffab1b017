from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "schwarmdesk.community"
    label = "community"
    verbose_name = _("Community")

    def ready(self) -> None:
        from schwarmdesk.community.indexing import register_source  # noqa: PLC0415

        register_source()
