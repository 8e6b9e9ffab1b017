import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schwarmdesk.settings")
django_application = get_asgi_application()  # sets Django up before the chat imports models

from channels.routing import ProtocolTypeRouter  # noqa: E402

from schwarmdesk.channels.intake import webhook_front  # noqa: E402
from schwarmdesk.channels.routing import websocket_application  # noqa: E402

# HTTP is Django, but for queued webhooks (channels.intake: verify, keep the body, answer);
# WebSockets are the web chat (visitors) and the agents' live inbox.
application = ProtocolTypeRouter(
    {"http": webhook_front(django_application), "websocket": websocket_application()}
)
