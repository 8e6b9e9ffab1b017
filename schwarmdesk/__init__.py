"""Schwarmdesk: community-first, self-hostable customer service."""

__version__ = "0.1.0"
