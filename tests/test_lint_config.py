"""`make lint` and the pre-commit hooks run the same commands, so a check added to one is not forgotten in the other.

The Makefile's ``lint`` recipe is read line by line (``$(VENV)`` standing for ``.venv``, its default), and each
hook of ``.pre-commit-config.yaml`` as its ``entry`` followed by its ``args``. The hooks are local and run the tools
of ``.venv``, so installing them downloads nothing, and they check the whole project as ``make lint`` does.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _venv_default() -> str:
    found = re.search(r"^VENV\s*\?=\s*(\S+)\s*$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.MULTILINE)
    assert found, "the Makefile no longer sets VENV ?= …"
    return found.group(1)


def _make_lint_commands() -> list[str]:
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"^lint\s*:", line))
    commands = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        command = line.strip().lstrip("@-").strip()
        commands.append(" ".join(shlex.split(command.replace("$(VENV)", _venv_default()))))
    return commands


def _hooks() -> list[dict]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


def _hook_command(hook: dict) -> str:
    return " ".join(shlex.split(hook["entry"]) + [str(arg) for arg in hook.get("args", [])])


def test_the_make_lint_recipe_is_read():
    commands = _make_lint_commands()
    assert ".venv/bin/ruff check ." in commands
    assert ".venv/bin/djlint templates --lint" in commands


def test_every_make_lint_command_is_a_hook():
    hooks = {_hook_command(hook) for hook in _hooks()}
    missing = [command for command in _make_lint_commands() if command not in hooks]
    assert not missing, f"in the Makefile's lint target but no pre-commit hook runs it: {missing}"


def test_every_hook_is_a_make_lint_command():
    commands = set(_make_lint_commands())
    missing = [_hook_command(hook) for hook in _hooks() if _hook_command(hook) not in commands]
    assert not missing, f"a pre-commit hook that the Makefile's lint target does not run: {missing}"


def test_the_hooks_download_nothing_and_check_the_whole_project():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert {repo["repo"] for repo in config["repos"]} == {"local"}
    for hook in _hooks():
        assert hook["language"] == "system", hook["id"]
        assert hook["entry"].startswith(".venv/bin/"), hook["id"]
        # make lint's commands name what they check themselves; the commit's files are not added to them.
        assert hook.get("pass_filenames") is False, hook["id"]
