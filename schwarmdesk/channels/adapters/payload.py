"""Strict readers for inbound JSON: every access names the type it expects.

No deep ``dict[str, Any]`` reads (Zulip's ``WildValue`` idea): a wrong type or a missing key
raises ``ParseError`` with the path, never a ``KeyError`` or a silently wrong value.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterator

from schwarmdesk.channels.adapters.base import ParseError


class Obj:
    """A JSON object with typed accessors."""

    def __init__(self, data: dict[builtins.str, object], path: builtins.str = "$") -> None:
        self._data = data
        self.path = path

    def __contains__(self, key: builtins.str) -> builtins.bool:
        return key in self._data and self._data[key] is not None

    def _get(self, key: builtins.str) -> object:
        if key not in self._data or self._data[key] is None:
            raise ParseError(f"{self.path}.{key} is missing")
        return self._data[key]

    def str(self, key: builtins.str) -> builtins.str:
        value = self._get(key)
        if not isinstance(value, builtins.str):
            raise ParseError(f"{self.path}.{key} is not a string")
        return value

    def opt_str(self, key: builtins.str, default: builtins.str = "") -> builtins.str:
        return self.str(key) if key in self else default

    def int(self, key: builtins.str) -> builtins.int:
        value = self._get(key)
        if isinstance(value, builtins.bool) or not isinstance(value, builtins.int):
            raise ParseError(f"{self.path}.{key} is not an integer")
        return value

    def id(self, key: builtins.str) -> builtins.str:
        """An id that platforms send as a number or a string; returned as a string."""
        value = self._get(key)
        if (
            isinstance(value, builtins.bool)
            or not isinstance(value, builtins.int | builtins.str)
            or value == ""
        ):
            raise ParseError(f"{self.path}.{key} is not an id")
        return builtins.str(value)

    def bool(self, key: builtins.str, default: builtins.bool = False) -> builtins.bool:
        if key not in self:
            return default
        value = self._get(key)
        if not isinstance(value, builtins.bool):
            raise ParseError(f"{self.path}.{key} is not a boolean")
        return value

    def obj(self, key: builtins.str) -> Obj:
        value = self._get(key)
        if not isinstance(value, dict):
            raise ParseError(f"{self.path}.{key} is not an object")
        return Obj(value, f"{self.path}.{key}")

    def opt_obj(self, key: builtins.str) -> Obj | None:
        return self.obj(key) if key in self else None

    def objs(self, key: builtins.str) -> Iterator[Obj]:
        value = self._get(key) if key in self else []
        if not isinstance(value, list):
            raise ParseError(f"{self.path}.{key} is not a list")
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise ParseError(f"{self.path}.{key}[{index}] is not an object")
            yield Obj(item, f"{self.path}.{key}[{index}]")

    def keys(self) -> list[builtins.str]:
        return list(self._data)


def load_object(body: bytes) -> Obj:
    data = _load(body)
    if not isinstance(data, dict):
        raise ParseError("the body is not a JSON object")
    return Obj(data)


def load_list(body: bytes) -> Iterator[Obj]:
    data = _load(body)
    if not isinstance(data, list):
        raise ParseError("the body is not a JSON list")
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise ParseError(f"$[{index}] is not an object")
        yield Obj(item, f"$[{index}]")


def _load(body: bytes) -> object:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ParseError(f"the body is not JSON ({error.__class__.__name__})") from None
