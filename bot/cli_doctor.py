"""``duban doctor``: checks configuration and reachability, one line per check (ok / warn / fail and why).

Every check runs even when an earlier one failed, so an operator sees the whole picture at once; the exit status
is 1 when any check failed, else 0. Secrets never reach the output (the settings' redactor masks every line).
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from bot.texts import t
from config import Settings

TIMEOUT = 10.0
OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True, slots=True)
class Check:
    """One check's outcome: its name, ok/warn/fail and a detail line."""

    name: str
    status: str
    detail: str


def add_parser(sub: argparse._SubParsersAction) -> None:
    """The ``doctor`` sub-command."""
    sub.add_parser("doctor", help="check configuration, database, calendar and channel credentials")


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__


def configuration(settings: Settings, lang: str) -> Check:
    """The settings loaded; which channels are configured; webhook settings complete."""
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(settings.timezone)
    except Exception:
        return Check("settings", FAIL, t("doctor.bad_timezone", lang, tz=settings.timezone))
    channels = _channels(settings)
    if not channels:
        return Check("settings", WARN, t("doctor.no_channel", lang))
    tg = settings.telegram
    if getattr(tg, "webhook_url", None) and getattr(tg, "webhook_secret", None) is None:
        return Check("settings", WARN, t("doctor.webhook_no_secret", lang))
    return Check("settings", OK, t("doctor.settings_ok", lang, channels=", ".join(channels)))


def _dingtalk(settings: Settings) -> tuple[str, str, str] | None:
    """(api base, app key, app secret) when DingTalk is configured (its settings may not exist yet)."""
    ding = getattr(settings, "dingtalk", None)
    key = getattr(ding, "app_key", None)
    secret = getattr(ding, "app_secret", None)
    if not key or secret is None:
        return None
    secret_value = secret.get_secret_value() if hasattr(secret, "get_secret_value") else str(secret)
    return str(getattr(ding, "api_base", "https://api.dingtalk.com")), str(key), secret_value


def _channels(settings: Settings) -> list[str]:
    w = settings.wecom
    found = []
    if settings.telegram.token is not None:
        found.append("telegram")
    if (w.corp_id and w.secret) or w.robot_key is not None:
        found.append("wecom")
    if _dingtalk(settings) is not None:
        found.append("dingtalk")
    return found


async def database(settings: Settings, lang: str) -> list[Check]:
    """The database answers, and its schema is at the head revision."""
    import asyncio

    from bot.db import Database
    from bot.db.migrate import HEAD_REVISION, current
    from bot.db.session import _plain_sqlite_file

    shown = make_url(settings.database.url).render_as_string(hide_password=True)
    file = _plain_sqlite_file(settings.database.url)
    if file is not None and not Path(file).is_file():  # connecting would create an empty one
        return [Check("database", FAIL, t("doctor.db_file_missing", lang, file=file)),
                Check("schema", FAIL, t("doctor.schema_unknown", lang))]
    db = Database(settings.database.url, busy_timeout=5.0)
    try:
        try:
            revision = await asyncio.wait_for(current(db.engine), TIMEOUT)
        except Exception as exc:
            return [Check("database", FAIL, t("doctor.db_unreachable", lang, url=shown, reason=_reason(exc))),
                    Check("schema", FAIL, t("doctor.schema_unknown", lang))]
        reached = Check("database", OK, t("doctor.db_ok", lang, url=shown))
        if revision == HEAD_REVISION:
            return [reached, Check("schema", OK, t("doctor.schema_ok", lang, revision=revision))]
        return [reached, Check("schema", FAIL, t("doctor.schema_behind", lang, revision=revision or "-",
                                                  head=HEAD_REVISION))]
    finally:
        await db.dispose()


async def calendar(settings: Settings, lang: str, today: date, reachable: bool) -> Check:
    """Official holiday data for this year (fail without it) and next year (warn without it)."""
    from bot.workcal import WorkCalendar

    overrides: dict[date, bool] = {}
    if reachable:
        from sqlalchemy import select

        from bot.db import Database
        from bot.db.models import CalendarOverride

        db = Database(settings.database.url, busy_timeout=5.0)
        try:
            async with db.session() as session:
                rows = (await session.execute(select(CalendarOverride.day, CalendarOverride.working))).all()
            overrides = {day: working for day, working in rows}
        except Exception:  # an old schema without the table: the bundled data alone
            overrides = {}
        finally:
            await db.dispose()
    cal = WorkCalendar(overrides)
    keys = cal.check(today)
    if not keys:
        return Check("calendar", OK, t("cli.calendar_ok", lang, years=f"{today.year}–{today.year + 1}"))
    status = FAIL if "calendar.current_year_missing" in keys else WARN
    return Check("calendar", status, " ".join(cal.check_messages(today, lang)))


async def _http(call: Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        response = await call(client)
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    body.setdefault("_status", response.status_code)
    return body


async def telegram(settings: Settings, lang: str) -> Check | None:
    """Telegram getMe answers with the bot's username (when a token is set)."""
    tg = settings.telegram
    if tg.token is None:
        return None
    url = f"{tg.base_url}{tg.token.get_secret_value()}/getMe"
    try:
        body = await _http(lambda client: client.get(url))
    except httpx.HTTPError as exc:
        return Check("telegram", FAIL, t("doctor.unreachable", lang, what="getMe", reason=_reason(exc)))
    if body.get("ok") and isinstance(body.get("result"), dict):
        return Check("telegram", OK, t("doctor.telegram_ok", lang, username=body["result"].get("username", "?")))
    return Check("telegram", FAIL, t("doctor.refused", lang, what="getMe", status=body["_status"],
                                     reason=body.get("description", "")))


async def wecom(settings: Settings, lang: str) -> Check | None:
    """WeCom gettoken accepts the corp id and app secret (when the app is configured)."""
    w = settings.wecom
    if not w.corp_id or w.secret is None:
        return None
    params = {"corpid": w.corp_id, "corpsecret": w.secret.get_secret_value()}
    try:
        body = await _http(lambda client: client.get(f"{w.base_url.rstrip('/')}/cgi-bin/gettoken", params=params))
    except httpx.HTTPError as exc:
        return Check("wecom", FAIL, t("doctor.unreachable", lang, what="gettoken", reason=_reason(exc)))
    if body.get("errcode", -1) == 0 and body.get("access_token"):
        return Check("wecom", OK, t("doctor.token_ok", lang, what="gettoken"))
    return Check("wecom", FAIL, t("doctor.refused", lang, what="gettoken", status=body.get("errcode", body["_status"]),
                                  reason=body.get("errmsg", "")))


async def dingtalk(settings: Settings, lang: str) -> Check | None:
    """DingTalk's accessToken accepts the app key and secret (when DUBAN_DINGTALK__APP_KEY is set)."""
    found = _dingtalk(settings)
    if found is None:
        return None
    api_base, key, secret = found
    payload = {"appKey": key, "appSecret": secret}
    try:
        body = await _http(lambda client: client.post(f"{api_base.rstrip('/')}/v1.0/oauth2/accessToken", json=payload))
    except httpx.HTTPError as exc:
        return Check("dingtalk", FAIL, t("doctor.unreachable", lang, what="accessToken", reason=_reason(exc)))
    if body.get("accessToken"):
        return Check("dingtalk", OK, t("doctor.token_ok", lang, what="accessToken"))
    return Check("dingtalk", FAIL, t("doctor.refused", lang, what="accessToken", status=body["_status"],
                                     reason=body.get("message") or body.get("code") or ""))


async def run_checks(settings: Settings, lang: str, today: date) -> list[Check]:
    """Every check, in the order printed."""
    checks = [configuration(settings, lang)]
    checks += await database(settings, lang)
    checks.append(await calendar(settings, lang, today, reachable=checks[1].status == OK))
    for channel in (telegram, wecom, dingtalk):
        found = await channel(settings, lang)
        if found is not None:
            checks.append(found)
    return checks


async def run(settings: Settings, lang: str, today: date) -> int:
    """Print one line per check; 1 when any failed."""
    from bot.redact import Redactor

    redact = Redactor.from_settings(settings)
    checks = await run_checks(settings, lang, today)
    for check in checks:
        print(redact(f"{check.status:<4} {check.name}: {check.detail}"))
    return 1 if any(check.status == FAIL for check in checks) else 0


def settings_failures(error: Exception) -> list[str]:
    """``DUBAN_NAME: why`` for each invalid setting in pydantic's ValidationError (the text itself otherwise)."""
    errors = getattr(error, "errors", None)
    if not callable(errors):
        return [str(error)]
    return ["DUBAN_" + "__".join(str(part).upper() for part in problem.get("loc", ())) + ": " + problem.get("msg", "")
            for problem in errors()]
