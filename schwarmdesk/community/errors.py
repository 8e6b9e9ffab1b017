"""The community's one extra error. (Belongs in :mod:`schwarmdesk.core.errors` once other apps
need it too.)"""

from __future__ import annotations

from schwarmdesk.core.errors import DomainError


class Forbidden(DomainError):
    """The actor sees the object but may not do this to it (edit someone else's answer, accept
    an answer to someone else's question, write without an account)."""

    code = "forbidden"
