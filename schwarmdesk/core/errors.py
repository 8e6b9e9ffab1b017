"""Errors that actions raise. Views and the API map them to responses; nothing here is web."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: a use case refused to change state, and nothing was changed."""

    code = "invalid"


class NotFound(DomainError):
    """The object does not exist, or the actor may not see it (both look the same)."""

    code = "not_found"


class Conflict(DomainError):
    """The change collides with existing data, e.g. an external id that is already stored."""

    code = "conflict"


class Invalid(DomainError):
    """The input is not acceptable, e.g. an oversized or mistyped attachment."""

    code = "invalid"


class Forbidden(DomainError):
    """The actor sees the object but may not do this to it (edit someone else's answer, accept
    an answer to someone else's question, write without an account)."""

    code = "forbidden"
