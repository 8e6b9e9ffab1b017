"""Typed readers for ``SCHWARMDESK_*`` environment variables.

Every reader fails loudly with :class:`ConfigError` naming the variable, the bad value and what
would be accepted, so a typo in a deployment stops the process with a clear message instead of
running with a silently wrong setting.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

PREFIX = "SCHWARMDESK_"

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class ConfigError(Exception):
    """A SCHWARMDESK_* variable has a value that cannot be used."""


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    env = os.environ if environ is None else environ
    value = env.get(PREFIX + name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def env_str(name: str, default: str, *, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ)
    return default if value is None else value


def env_optional(name: str, *, environ: Mapping[str, str] | None = None) -> str | None:
    return _raw(name, environ)


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(
        f"{PREFIX}{name}={value!r} is not a boolean; use one of "
        f"{', '.join(sorted(_TRUE))} or {', '.join(sorted(_FALSE))}"
    )


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = int(value.replace("_", ""))
    except ValueError:
        raise ConfigError(f"{PREFIX}{name}={value!r} is not a whole number") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{PREFIX}{name}={number} is below the minimum of {minimum}")
    if maximum is not None and number > maximum:
        raise ConfigError(f"{PREFIX}{name}={number} is above the maximum of {maximum}")
    return number


def env_list(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(
    name: str, default: str, choices: tuple[str, ...], *, environ: Mapping[str, str] | None = None
) -> str:
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.lower()
    if lowered not in choices:
        raise ConfigError(f"{PREFIX}{name}={value!r} is not one of: {', '.join(choices)}")
    return lowered


def env_path(name: str, default: Path, *, environ: Mapping[str, str] | None = None) -> Path:
    value = _raw(name, environ)
    return (default if value is None else Path(value)).expanduser().resolve()


def env_secret(name: str, *, environ: Mapping[str, str] | None = None) -> str | None:
    """A secret from ``SCHWARMDESK_<NAME>`` or from the file named by ``SCHWARMDESK_<NAME>_FILE``.

    Setting both is an error: it is never clear which one the operator meant.
    """
    direct = _raw(name, environ)
    file_name = _raw(name + "_FILE", environ)
    if direct is not None and file_name is not None:
        raise ConfigError(f"set either {PREFIX}{name} or {PREFIX}{name}_FILE, not both")
    if file_name is None:
        return direct
    try:
        secret = Path(file_name).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ConfigError(
            f"{PREFIX}{name}_FILE={file_name!r} cannot be read: {error.strerror}"
        ) from None
    if not secret:
        raise ConfigError(f"{PREFIX}{name}_FILE={file_name!r} is empty")
    return secret
