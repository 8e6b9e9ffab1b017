from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "schwarmdesk.core"
    label = "core"
    verbose_name = "Schwarmdesk core"
