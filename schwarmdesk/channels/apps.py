from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "schwarmdesk.channels"
    # Not "channels": that label belongs to Django Channels, which the web chat will use.
    label = "schwarmdesk_channels"
    verbose_name = _("Channels")
