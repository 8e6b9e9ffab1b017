from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "schwarmdesk.demo"
    label = "demo"
    verbose_name = "Demo data"
