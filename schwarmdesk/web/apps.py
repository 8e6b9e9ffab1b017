from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "schwarmdesk.web"
    label = "web"
    verbose_name = "Web"
