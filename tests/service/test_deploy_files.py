"""What can be checked of the deploy files without running containers: they parse, name only real settings,
probe the health endpoints and start ``duban run``."""

from __future__ import annotations

import configparser
import json
import re
import shlex
from pathlib import Path

import yaml
from pydantic import BaseModel

from config import Settings

ROOT = Path(__file__).resolve().parents[2]
DUBAN_NAME = re.compile(r"\bDUBAN_[A-Z0-9_]+")


def setting_names(model: type[BaseModel] = Settings, prefix: str = "DUBAN_") -> set[str]:
    """Every environment name the settings read, nested models joined by ``__`` (env_nested_delimiter)."""
    names = set()
    for name, field in model.model_fields.items():
        env = f"{prefix}{name.upper()}"
        names.add(env)
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            names |= setting_names(kind, f"{env}__")
    return names


def test_the_settings_walk_knows_nested_and_flat_names():
    names = setting_names()
    assert {"DUBAN_DATABASE__URL", "DUBAN_DATABASE_URL", "DUBAN_TELEGRAM__TOKEN", "DUBAN_REMINDERS__SEND_TIME"} <= names
    assert "DUBAN_TELEGRAM__NOPE" not in names and "DUBAN_DATABASE" in names


def names_in(path: Path) -> set[str]:
    return set(DUBAN_NAME.findall(path.read_text(encoding="utf-8")))


def test_every_duban_name_in_the_deploy_files_is_a_setting():
    known = setting_names()
    files = [ROOT / "compose.yaml", ROOT / "Dockerfile", ROOT / "deploy" / "duban.service",
             ROOT / "deploy" / "duban.env.example", ROOT / "deploy" / "compose.env.example"]
    for file in files:
        unknown = names_in(file) - known
        assert not unknown, f"{file.name}: not in config/settings.py: {sorted(unknown)}"
    assert {"DUBAN_HTTP__HOST", "DUBAN_DATABASE__URL"} <= names_in(ROOT / "compose.yaml")


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def duban_services(spec: dict) -> dict[str, dict]:
    return {name: svc for name, svc in spec["services"].items() if svc.get("image", "").startswith("duban")}


def probe_path(test: list[str] | str) -> str:
    """The URL path a health check's command fetches."""
    text = test if isinstance(test, str) else " ".join(test)
    found = re.findall(r"http://127\.0\.0\.1:8080(/[a-z]+)", text)
    assert len(found) == 1, text
    return found[0]


def test_compose_runs_two_replicas_on_postgres_behind_one_proxy_with_health_checks():
    spec = compose()
    replicas = {name: svc for name, svc in duban_services(spec).items() if "command" not in svc}
    assert len(replicas) >= 2
    for name, svc in replicas.items():
        env = svc["environment"]
        assert env["DUBAN_DATABASE__URL"].startswith("postgresql+asyncpg://") and "@postgres:5432/" in env["DUBAN_DATABASE__URL"]
        assert env["DUBAN_HTTP__HOST"] == "0.0.0.0" and str(env["DUBAN_HTTP__PORT"]) == "8080"
        assert probe_path(svc["healthcheck"]["test"]) in ("/healthz", "/readyz"), name
        assert svc["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "ports" not in svc  # reached only through the proxy
    # The same environment on every replica: the same database and the same webhook settings.
    envs = [json.dumps(svc["environment"], sort_keys=True) for svc in replicas.values()]
    assert len(set(envs)) == 1
    pg = spec["services"]["postgres"]
    assert "pg_isready" in " ".join(pg["healthcheck"]["test"])
    assert spec["services"]["migrate"]["command"] == ["duban", "db", "upgrade"]
    proxy = spec["services"]["proxy"]
    assert probe_path(proxy["healthcheck"]["test"]) == "/healthz"
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    upstreams = set(re.findall(r"server (duban-\d+):8080", conf))
    assert upstreams == set(replicas)


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_image_is_multi_stage_non_root_compiled_and_runs_duban_run():
    text = dockerfile()
    stages = re.findall(r"^FROM\s+(\S+)", text, re.MULTILINE)
    assert len(stages) >= 2 and stages[-1].endswith("-slim")
    assert "--from=builder" in text and "compileall" in text
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    cmd = re.findall(r"^CMD\s+(.+)$", text, re.MULTILINE)
    assert json.loads(cmd[-1]) == ["duban", "run"]
    health = re.search(r"^HEALTHCHECK.*?CMD\s+(\[.*?\])$", text, re.MULTILINE | re.DOTALL)
    assert health and probe_path(json.loads(health.group(1))) == "/healthz"


def test_systemd_unit_runs_duban_run_as_duban_with_hardening():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # keys are case-sensitive in systemd
    unit.read(ROOT / "deploy" / "duban.service", encoding="utf-8")
    service = unit["Service"]
    assert service["User"] == "duban" and service["WorkingDirectory"] and service["EnvironmentFile"]
    exec_start = shlex.split(service["ExecStart"])
    assert Path(exec_start[0]).name == "duban" and exec_start[1:] == ["run"]
    assert service["Restart"] == "on-failure"
    for option in ("NoNewPrivileges", "ProtectSystem", "PrivateTmp", "ProtectHome"):
        assert option in service, option
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_dockerignore_keeps_secrets_and_databases_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".git", ".venv", "*.sqlite3"} <= set(ignored)
