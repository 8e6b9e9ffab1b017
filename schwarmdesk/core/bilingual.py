"""German/English names for things with a German name and an optional English one."""

from __future__ import annotations

from typing import Protocol


class _Named(Protocol):
    name: str
    name_en: str
    description: str
    description_en: str


class BilingualNames:
    """Mixin for models with ``name``/``name_en`` and ``description``/``description_en``."""

    def name_in(self: _Named, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name

    def description_in(self: _Named, language: str) -> str:
        return self.description_en if language == "en" and self.description_en else self.description
