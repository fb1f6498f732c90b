"""The layering the brief fixes, proved by walking every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSITION = {"bot/app.py", "bot/cli.py", "bot/__main__.py"}
PLATFORMS = ("telegram", "wechatpy")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", _modules("bot"), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_is_platform_free_and_does_not_reach_up(path: Path) -> None:
    rel = str(path.relative_to(ROOT))
    if rel.startswith("bot/channels/") or rel in COMPOSITION:
        return
    imported = _imports(path)
    assert not imported & set(PLATFORMS), f"{rel} imports a platform library"
    assert not imported & {"handlers", "scheduler"}, f"{rel} imports handlers/ or scheduler/"


@pytest.mark.parametrize("path", _modules("handlers") + _modules("scheduler"), ids=lambda p: str(p.relative_to(ROOT)))
def test_conversation_and_scheduler_never_import_platforms_or_channels(path: Path) -> None:
    rel = str(path.relative_to(ROOT))
    imported = _imports(path)
    assert not imported & set(PLATFORMS), f"{rel} imports a platform library"
    source = path.read_text("utf-8")
    assert "bot.channels" not in source, f"{rel} reaches into the channel adapters"


def test_only_config_reads_the_environment() -> None:
    offenders = []
    for package in ("bot", "handlers", "scheduler"):
        for path in _modules(package):
            source = path.read_text("utf-8")
            if "os.environ" in source or "os.getenv" in source:
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.parametrize("path", _modules("bot") + _modules("handlers") + _modules("scheduler") + _modules("config"),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_every_public_function_has_a_docstring(path: Path) -> None:
    if "migrations/versions" in str(path):
        return
    tree = ast.parse(path.read_text("utf-8"))
    missing = [
        node.name
        for node in _public_definitions(tree)
        if ast.get_docstring(node) is None and not _is_override(node)
    ]
    assert missing == [], f"{path.relative_to(ROOT)}: no docstring on {missing}"


def _public_definitions(tree: ast.Module) -> list[ast.AST]:
    # Module-level functions and classes, and the methods of those classes; nested helpers are private.
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    found = []
    for node in tree.body:
        if isinstance(node, kinds) and not node.name.startswith("_"):
            found.append(node)
            if isinstance(node, ast.ClassDef):
                found += [m for m in node.body if isinstance(m, kinds) and not m.name.startswith("_")]
    return found


def _is_override(node: ast.AST) -> bool:
    # process_bind_param & co. implement SQLAlchemy hooks whose contract is documented there.
    return getattr(node, "name", "") in {"process_bind_param", "process_result_value", "model_post_init"}
