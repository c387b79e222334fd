"""The code's shape: views without rules, and no long function.

A view parses the request, calls one service and renders: the transactions, the row locks and the writes that
bypass a form's ``save()`` belong in the services (``<app>/services.py``, ``meetings/services.py`` …), where
they are tested without a request. And no function outside the demo data, the migrations and the tests grows past
``MAX_LINES`` lines: a long function hides a rule that deserves a name.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "accounts",
    "chibo",
    "dashboards",
    "demo",
    "evaluations",
    "history",
    "inspections",
    "meetings",
    "members",
    "notifications",
    "propagandists",
    "resolutions",
)
MAX_LINES = 80
# Calls of the form ``<Model>.objects…<method>(…)`` that write.
WRITES = {"create", "get_or_create", "update_or_create", "update", "bulk_create", "bulk_update", "delete"}
# Functions allowed past MAX_LINES, each at most its length: none today (the demo's seeding code aside). Split a long
# function into named steps rather than add it here.
LONG_FUNCTIONS: dict[str, int] = {}


def _view_modules() -> list[Path]:
    found = []
    for app in APPS:
        found += [ROOT / app / "views.py", *sorted((ROOT / app / "views").glob("*.py"))]
    return [path for path in found if path.exists()]


def _source_modules() -> list[Path]:
    paths = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0].startswith(".") or parts[0] in ("tests", "var", "node_modules") or "migrations" in parts:
            continue
        if parts[0] == "demo" and "management" not in parts:
            continue
        paths.append(path)
    return paths


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _chain(node: ast.expr) -> list[str]:
    """The names of an attribute chain, outermost last: ``Task.objects.filter(x).update`` → Task, objects, filter,
    update."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names[::-1]
        else:
            return names[::-1]


def rule_breaches(tree: ast.AST) -> list[str]:
    """What a view module must not hold: a transaction, a row lock, a write through a model's manager."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "atomic":
            found.append(f"line {node.lineno}: transaction.atomic")
        elif isinstance(node, ast.Name) and node.id == "atomic":
            found.append(f"line {node.lineno}: atomic")
        elif isinstance(node, ast.Attribute) and node.attr == "select_for_update":
            found.append(f"line {node.lineno}: select_for_update")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
            chain = _chain(node.func)
            if "objects" in chain[:-1]:
                found.append(f"line {node.lineno}: {'.'.join(chain[: chain.index('objects') + 1])}….{chain[-1]}(")
    return found


def long_functions(tree: ast.AST) -> dict[str, int]:
    return {
        node.name: (node.end_lineno or node.lineno) - node.lineno + 1
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (node.end_lineno or node.lineno) - node.lineno + 1 > MAX_LINES
    }


@pytest.mark.parametrize("path", _view_modules(), ids=_name)
def test_a_view_module_holds_no_transaction_lock_or_write(path: Path) -> None:
    breaches = rule_breaches(ast.parse(path.read_text(encoding="utf-8")))
    assert not breaches, f"{_name(path)}: move these into a service: {breaches}"


def _all_long_functions() -> dict[str, int]:
    found = {}
    for path in _source_modules():
        for name, length in long_functions(ast.parse(path.read_text(encoding="utf-8"))).items():
            found[f"{_name(path)}:{name}"] = length
    return found


def test_no_function_is_longer_than_the_limit() -> None:
    grown = {key: n for key, n in _all_long_functions().items() if n > LONG_FUNCTIONS.get(key, MAX_LINES)}
    assert not grown, f"functions longer than {MAX_LINES} lines, or longer than listed (split them): {grown}"


def test_the_allow_list_names_only_long_functions() -> None:
    """A function shortened leaves the list, so that it cannot grow back."""
    gone = set(LONG_FUNCTIONS) - set(_all_long_functions())
    assert not gone, f"no longer long: take them off the list: {gone}"


@pytest.mark.parametrize(
    ("source", "breaches"),
    [
        ("with transaction.atomic():\n    pass", 1),
        ("@transaction.atomic\ndef f(): pass", 1),
        ("Meeting.objects.select_for_update().get(pk=1)", 1),
        ("Task.objects.create(title='x')", 1),
        ("Notification.objects.filter(pk=1).update(read_at=None)", 1),
        ("Target.objects.bulk_create([])", 1),
        ("Task.objects.filter(pk=1).delete()", 1),
        ("form.save()\ncontext.update(a=1)\ndefault_storage.delete('f')\nTask.objects.filter(pk=1).count()", 0),
    ],
)
def test_the_check_sees_what_it_should(source: str, breaches: int) -> None:
    assert len(rule_breaches(ast.parse(source))) == breaches
