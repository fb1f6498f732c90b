"""The layering the brief fixes, proved by walking every module's imports."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "scheduler", "config")
# Libraries only the outer ring (channels and the composition root) may use.
PLATFORM_LIBRARIES = frozenset({"telegram", "wechatpy", "starlette", "uvicorn"})

# Which part may import which: every module is in exactly one part, lazy imports inside functions included.
ALLOWED: dict[str, frozenset[str]] = {
    "config": frozenset({"config"}),
    "contracts": frozenset({"contracts"}),
    "core": frozenset({"config", "contracts", "core"}),
    "handlers": frozenset({"config", "contracts", "core", "handlers"}),
    "scheduler": frozenset({"config", "contracts", "core", "scheduler"}),
    "channels": frozenset({"config", "contracts", "core", "handlers", "channels"}),
    "composition": frozenset({"config", "contracts", "core", "handlers", "scheduler", "channels", "composition"}),
}
COMPOSITION_MODULES = ("bot.app", "bot.cli", "bot.__main__", "bot.http")
# Channel modules that belong to no one platform: the registry names every platform's builder.
SHARED_CHANNEL_MODULES = frozenset({"registry"})


def part_of(module: str) -> str | None:
    """The part a dotted module name belongs to, or None for a library."""
    top = module.split(".")[0]
    if top in ("config", "handlers", "scheduler"):
        return top
    if top != "bot":
        return None
    if module == "bot.contracts" or module.startswith("bot.contracts."):
        return "contracts"
    if module == "bot.channels" or module.startswith("bot.channels."):
        return "channels"
    if any(module == m or module.startswith(m + ".") or module.startswith(m + "_") for m in COMPOSITION_MODULES):
        return "composition"
    return "core"


def platform_of(module: str) -> str | None:
    """The platform package of a channel module (``bot.channels.telegram_send`` → ``telegram``), if any."""
    parts = module.split(".")
    if len(parts) < 3 or parts[:2] != ["bot", "channels"] or parts[2] in SHARED_CHANNEL_MODULES:
        return None
    return parts[2].split("_")[0]


def _module_name(root: Path, path: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    names = list(rel.parts)
    if names[-1] == "__init__":
        names.pop()
    return ".".join(names)


def _is_module(root: Path, dotted: str) -> bool:
    base = root.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _imported_modules(root: Path, path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):  # every import, at module level or inside a function
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from bot import app`` imports the module bot.app; ``from bot.db import Database`` imports bot.db.
            submodules = {f"{base}.{alias.name}" for alias in node.names if _is_module(root, f"{base}.{alias.name}")}
            found.update(submodules or {base})
    return found


def forbidden_edges(root: Path) -> list[str]:
    """Every import in the tree at ``root`` that the ALLOWED matrix (and one platform per channel) forbids."""
    problems: list[str] = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = _module_name(root, path)
            importer = part_of(module)
            assert importer is not None
            for imported in sorted(_imported_modules(root, path, module)):
                top = imported.split(".")[0]
                if top in PLATFORM_LIBRARIES and importer not in ("channels", "composition"):
                    problems.append(f"{module} ({importer}) imports the platform library {top}")
                target = part_of(imported)
                if target is None:
                    continue
                if target not in ALLOWED[importer]:
                    problems.append(f"{module} ({importer}) imports {imported} ({target})")
                elif importer == target == "channels":
                    mine, theirs = platform_of(module), platform_of(imported)
                    if mine and theirs and mine != theirs:
                        problems.append(f"{module} ({mine}) imports another platform's {imported}")
    return sorted(set(problems))


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_every_import_follows_the_matrix() -> None:
    assert forbidden_edges(ROOT) == []


def test_the_matrix_catches_a_forbidden_edge(tmp_path: Path) -> None:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    planner = tmp_path / "scheduler" / "planner.py"
    # A lazy import inside a function, the kind a module-level scan would miss.
    planner.write_text(planner.read_text("utf-8") + "\n\ndef _sneak():\n    from handlers.router import route_text\n\n    return route_text\n", "utf-8")
    core = tmp_path / "bot" / "services" / "status.py"
    core.write_text(core.read_text("utf-8") + "\n\nimport telegram  # noqa\n", "utf-8")
    found = forbidden_edges(tmp_path)
    assert "scheduler.planner (scheduler) imports handlers.router (handlers)" in found
    assert "bot.services.status (core) imports the platform library telegram" in found


def test_part_of_places_every_kind_of_module() -> None:
    assert part_of("bot.contracts.actions") == "contracts"
    assert part_of("bot.channels.wecom.api") == "channels"
    assert part_of("bot.cli_assign") == "composition"
    assert part_of("bot.services.progress") == "core"
    assert part_of("httpx") is None
    assert platform_of("bot.channels.telegram_send") == "telegram"
    assert platform_of("bot.channels.registry") is None


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
