from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    """Values every page may show: the mode (a demo banner) and the version."""
    from schwarmdesk import __version__  # noqa: PLC0415

    return {"SCHWARMDESK_MODE": settings.MODE, "SCHWARMDESK_VERSION": __version__}
