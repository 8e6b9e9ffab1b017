"""Every SCHWARMDESK_* setting is documented in README.md, and the README documents no ghosts."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
READ_CALL = re.compile(r"\benv_(?:str|bool|int|list|choice|path|secret|optional)\(\s*\"([A-Z_]+)\"")


def settings_read_in(path: Path) -> set[str]:
    return {f"SCHWARMDESK_{name}" for name in READ_CALL.findall(path.read_text(encoding="utf-8"))}


def documented() -> set[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"`(SCHWARMDESK_[A-Z_]+)`", readme))


def test_every_setting_is_documented() -> None:
    read = settings_read_in(REPO / "schwarmdesk" / "settings.py")
    assert len(read) >= 20
    assert sorted(read - documented()) == []


def test_readme_documents_only_settings_that_exist() -> None:
    code = "\n".join(
        path.read_text(encoding="utf-8")
        for pattern in ("schwarmdesk/**/*.py", "tests/**/*.py", "scripts/*")
        for path in REPO.glob(pattern)
        if path.is_file()
    )
    ghosts = sorted(
        name
        for name in documented()
        # a secret's _FILE twin is read by env_secret itself
        if name.removesuffix("_FILE") not in code
        and name.removeprefix("SCHWARMDESK_").removesuffix("_FILE") not in code
    )
    assert ghosts == []


def test_readme_gives_the_two_commands_and_ci_calls_the_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "scripts/demo " in readme
    assert "scripts/test " in readme
    assert "exec scripts/test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")
