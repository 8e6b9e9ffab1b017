"""Settings parsing: typed helpers and the real settings module started with bad values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from schwarmdesk.config import (
    ConfigError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_path,
    env_secret,
    env_str,
)

REPO = Path(__file__).resolve().parents[2]


def test_env_str_uses_default_when_unset_or_blank() -> None:
    assert env_str("X", "fallback", environ={}) == "fallback"
    assert env_str("X", "fallback", environ={"SCHWARMDESK_X": "   "}) == "fallback"
    assert env_str("X", "fallback", environ={"SCHWARMDESK_X": " value "}) == "value"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("YES", True), ("on", True), ("0", False), ("Off", False)],
)
def test_env_bool_accepts_common_spellings(raw: str, expected: bool) -> None:
    assert env_bool("FLAG", not expected, environ={"SCHWARMDESK_FLAG": raw}) is expected


def test_env_bool_rejects_other_values_naming_the_variable() -> None:
    with pytest.raises(ConfigError) as error:
        env_bool("HTTPS", True, environ={"SCHWARMDESK_HTTPS": "maybe"})
    assert str(error.value).startswith("SCHWARMDESK_HTTPS='maybe' is not a boolean")


def test_env_int_parses_and_checks_bounds() -> None:
    assert env_int("N", 5, environ={}) == 5
    assert env_int("N", 5, environ={"SCHWARMDESK_N": "1_000"}) == 1000
    with pytest.raises(ConfigError, match=r"SCHWARMDESK_N='ten' is not a whole number"):
        env_int("N", 5, environ={"SCHWARMDESK_N": "ten"})
    with pytest.raises(ConfigError, match=r"SCHWARMDESK_N=0 is below the minimum of 1"):
        env_int("N", 5, minimum=1, environ={"SCHWARMDESK_N": "0"})
    with pytest.raises(ConfigError, match=r"SCHWARMDESK_N=99 is above the maximum of 64"):
        env_int("N", 5, maximum=64, environ={"SCHWARMDESK_N": "99"})


def test_env_list_splits_on_commas_and_drops_blanks() -> None:
    assert env_list("HOSTS", ["a"], environ={}) == ["a"]
    assert env_list("HOSTS", [], environ={"SCHWARMDESK_HOSTS": "x.de, y.de,,"}) == ["x.de", "y.de"]


def test_env_choice_is_case_insensitive_and_strict() -> None:
    assert env_choice("MODE", "production", ("production", "demo"), environ={}) == "production"
    assert env_choice(
        "MODE", "x", ("production", "demo"), environ={"SCHWARMDESK_MODE": "DEMO"}
    ) == ("demo")
    with pytest.raises(
        ConfigError, match=r"SCHWARMDESK_MODE='prod' is not one of: production, demo"
    ):
        env_choice("MODE", "x", ("production", "demo"), environ={"SCHWARMDESK_MODE": "prod"})


def test_env_path_resolves_relative_paths(tmp_path: Path) -> None:
    assert env_path("DIR", tmp_path / "a", environ={}) == tmp_path / "a"
    assert env_path("DIR", Path("x"), environ={"SCHWARMDESK_DIR": str(tmp_path)}) == tmp_path


def test_env_secret_reads_value_or_file_but_not_both(tmp_path: Path) -> None:
    secret_file = tmp_path / "key"
    secret_file.write_text("from-the-file\n", encoding="utf-8")
    assert env_secret("KEY", environ={}) is None
    assert env_secret("KEY", environ={"SCHWARMDESK_KEY": "direct"}) == "direct"
    assert env_secret("KEY", environ={"SCHWARMDESK_KEY_FILE": str(secret_file)}) == "from-the-file"
    with pytest.raises(ConfigError, match="set either SCHWARMDESK_KEY or SCHWARMDESK_KEY_FILE"):
        env_secret("KEY", environ={"SCHWARMDESK_KEY": "a", "SCHWARMDESK_KEY_FILE": "b"})
    with pytest.raises(ConfigError, match="cannot be read"):
        env_secret("KEY", environ={"SCHWARMDESK_KEY_FILE": str(tmp_path / "missing")})
    (tmp_path / "empty").write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match="is empty"):
        env_secret("KEY", environ={"SCHWARMDESK_KEY_FILE": str(tmp_path / "empty")})


def run_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Start the real settings module in a fresh process: `schwarmdesk manage check`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SCHWARMDESK_")}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    clean["SCHWARMDESK_DATA_DIR"] = str(tmp_path)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "schwarmdesk", "manage", "check"],
        env=clean,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_secret_key(tmp_path: Path) -> None:
    result = run_check(tmp_path, SCHWARMDESK_ALLOWED_HOSTS="help.example.com")
    assert result.returncode == 2
    assert "configuration error: SCHWARMDESK_SECRET_KEY" in result.stderr
    assert "Production mode will not start without it" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_a_short_secret_key(tmp_path: Path) -> None:
    result = run_check(tmp_path, SCHWARMDESK_SECRET_KEY="short")
    assert result.returncode == 2
    assert "SCHWARMDESK_SECRET_KEY is too short (5 characters)" in result.stderr


def test_production_needs_allowed_hosts(tmp_path: Path) -> None:
    result = run_check(tmp_path, SCHWARMDESK_SECRET_KEY="k" * 40)
    assert result.returncode == 2
    assert "SCHWARMDESK_ALLOWED_HOSTS is not set" in result.stderr


def test_production_starts_with_its_settings(tmp_path: Path) -> None:
    result = run_check(
        tmp_path,
        SCHWARMDESK_SECRET_KEY="k" * 40,
        SCHWARMDESK_ALLOWED_HOSTS="help.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_bad_number_stops_start_with_clear_message(tmp_path: Path) -> None:
    result = run_check(tmp_path, SCHWARMDESK_MODE="demo", SCHWARMDESK_WORKER_THREADS="many")
    assert result.returncode == 2
    assert "SCHWARMDESK_WORKER_THREADS='many' is not a whole number" in result.stderr


def test_unknown_database_url_is_refused(tmp_path: Path) -> None:
    result = run_check(tmp_path, SCHWARMDESK_MODE="demo", SCHWARMDESK_DATABASE_URL="mysql://x/y")
    assert result.returncode == 2
    assert "SCHWARMDESK_DATABASE_URL must start with postgresql://" in result.stderr


def test_demo_mode_creates_and_keeps_a_random_secret_key(tmp_path: Path) -> None:
    first = run_check(tmp_path, SCHWARMDESK_MODE="demo")
    key = (tmp_path / "secret_key").read_text(encoding="utf-8")
    second = run_check(tmp_path, SCHWARMDESK_MODE="demo")
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert len(key) >= 50
    assert (tmp_path / "secret_key").read_text(encoding="utf-8") == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_postgresql_sessions_run_without_jit(tmp_path: Path) -> None:
    def options(url: str) -> str:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("SCHWARMDESK_")}
        clean.update(
            SCHWARMDESK_DATA_DIR=str(tmp_path),
            SCHWARMDESK_MODE="demo",
            SCHWARMDESK_DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="schwarmdesk.settings",
        )
        code = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
        result = subprocess.run(
            [sys.executable, "-c", code],
            env=clean,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return result.stdout.strip()

    assert "'options': '-c jit=off'" in options("postgresql://db.example/help")
    # what the URL asks for comes later, so it wins
    chosen = options("postgresql://db.example/help?options=-c%20jit%3Don")
    assert "'options': '-c jit=off -c jit=on'" in chosen
