"""WebSocket routes: the web chat widget (visitors) and the agents' live inbox (session login)."""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from schwarmdesk.channels.consumers import AgentConsumer, VisitorConsumer

# django-stubs types path() for views only; Channels routes ASGI applications with it.
websocket_urlpatterns: list[Any] = [
    path("ws/chat/<int:channel_id>/", VisitorConsumer.as_asgi()),  # type: ignore[arg-type]
    # A session cookie rides along cross-site too: only pages of our own hosts may open it.
    path(
        "ws/inbox/",
        AllowedHostsOriginValidator(AgentConsumer.as_asgi()),
    ),
]


def websocket_application() -> object:
    """Visitors come from other sites (no origin check: the visitor cookie is their key);
    the agents' socket carries the session, so the auth stack reads it."""
    return AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
