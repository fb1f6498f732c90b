"""The router on its own: phrases and commands to routes, button data to routes and back."""

from __future__ import annotations

import pytest

from handlers.router import Route, button_data, chinese_number, commands, page_data, route_callback, route_text


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("我的任务", Route("mytasks")),
        ("My Tasks", Route("mytasks")),
        ("/mytasks", Route("mytasks")),
        ("/mytasks@DubanBot", Route("mytasks")),
        ("/my", Route("mytasks")),
        ("逾期", Route("overdue")),
        ("overdue", Route("overdue")),
        ("本周到期", Route("week")),
        ("due this week", Route("week")),
        ("三天内到期", Route("due", "3")),
        ("十五天内到期", Route("due", "15")),
        ("二十个工作日内到期", Route("due", "20")),
        ("5天内到期", Route("due", "5")),
        ("due within 7 days", Route("due", "7")),
        ("due in 2 working days", Route("due", "2")),
        ("/due 4", Route("due", "4")),
        ("即将到期", Route("due")),
        ("#11", Route("task", "11")),
        ("＃ 11", Route("task", "11")),
        ("#2/11", Route("task", "2/11")),
        ("/task 11", Route("task", "11")),
        ("签收 11", Route("ack", "11")),
        ("签收11", Route("ack", "11")),
        ("签收 #11", Route("ack", "11")),
        ("ack 11", Route("ack", "11")),
        ("明天再提醒 11", Route("snooze", "11")),
        ("snooze #11", Route("snooze", "11")),
        ("完成 11", Route("done", "11")),
        ("办结 11 已印发〔2023〕5号文", Route("done", "11 已印发〔2023〕5号文")),
        ("done 11 notice issued", Route("done", "11 notice issued")),
        ("进度 11 50% 已完成", Route("progress", "11 50% 已完成")),
        ("progress 11 draft ready", Route("progress", "11 draft ready")),
        ("延期 11 2023-12-15 等待批复", Route("extend", "11 2023-12-15 等待批复")),
        ("进度 11", Route("progress_ask", "11")),
        ("延期 #11", Route("extend_ask", "11")),
        ("extend 11 2023-12-15 waiting", Route("extend", "11 2023-12-15 waiting")),
        ("搜索 胸痛中心", Route("search", "胸痛中心")),
        ("帮助", Route("help")),
        ("?", Route("help")),
        ("/start abc_DEF-1", Route("start", "abc_DEF-1")),
        ("/member add 张三 疾控股 head", Route("member", "add 张三 疾控股 head")),
    ],
)
def test_text_routes(text: str, route: Route) -> None:
    assert route_text(text, "DubanBot") == route


@pytest.mark.parametrize(
    "text", ["", "   ", "今天开会", "进度", "延期", "我的任务吗", "/help@OtherBot", "签收 11 12", "#"]
)
def test_text_that_is_not_for_duban(text: str) -> None:
    assert route_text(text, "DubanBot") is None


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("3", 3),
        ("三", 3),
        ("两", 2),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("三十一", 31),
        ("九十九", 99),
        ("百", None),
        ("三三", None),
        ("", None),
    ],
)
def test_chinese_numbers(text: str, number: int | None) -> None:
    assert chinese_number(text) == number


@pytest.mark.parametrize(
    ("data", "route"),
    [
        ("ack:42", Route("ack", "@42", button=True)),
        ("dn:42", Route("done_ask", "@42", button=True)),
        ("dk:42", Route("done", "@42", button=True)),
        ("t:7", Route("task", "@7", button=True)),
        ("sz:42", Route("snooze", "@42", button=True)),
        ("snooze:42", Route("snooze", "@42", button=True)),
        ("done:42", Route("done_ask", "@42", button=True)),
        ("xa:3", Route("approve", "3", button=True)),
        ("xr:3", Route("reject", "3", button=True)),
        ("io:tok-_en", Route("import_confirm", "tok-_en", button=True)),
        ("pg:my:2", Route("mytasks", "", page=2, button=True)),
        ("pg:due:0:5", Route("due", "5", page=0, button=True)),
        ("pg:q:1:胸痛:中心", Route("search", "胸痛:中心", page=1, button=True)),
        ("no", Route("dismiss", "", button=True)),
    ],
)
def test_button_routes(data: str, route: Route) -> None:
    assert route_callback(data) == route


@pytest.mark.parametrize("data", ["ack:x", "xa:", "pg:my:x", "pg:zz:1", "zz:1", "ack:1;drop"])
def test_forged_button_data_is_refused(data: str) -> None:
    assert route_callback(data) is None


def test_button_data_round_trips_and_fits_telegram() -> None:
    for command, arg in (
        ("ack", 123456789),
        ("done", 5),
        ("approve", 77),
        ("import_confirm", "A" * 16),
        ("dismiss", ""),
    ):
        data = button_data(command, arg)
        assert len(data.encode()) <= 64
        route = route_callback(data)
        assert route is not None and route.name == command
    assert route_callback(page_data("search", 12, "胸痛中心")) == Route("search", "胸痛中心", page=12, button=True)


def test_every_routed_name_has_a_handler() -> None:
    table = commands()
    phrase_routes = ["mytasks", "overdue", "week", "due", "task", "ack", "done", "progress", "extend", "search", "help"]
    button_routes = [
        r.name
        for r in (
            route_callback(d)
            for d in (
                "t:1",
                "ack:1",
                "sz:1",
                "dn:1",
                "dk:1",
                "pr:1",
                "ex:1",
                "ro:1",
                "xa:1",
                "xr:1",
                "io:a",
                "ix:a",
                "no",
            )
        )
        if r is not None
    ]
    assert set(phrase_routes + button_routes) <= set(table)
    assert all(callable(c.handler) and c.access in ("anyone", "bound", "person", "admin") for c in table.values())


def test_an_outbox_row_queued_by_an_earlier_version_still_routes() -> None:
    from bot.services.notices import decode_buttons, encode_buttons

    old = ["ack:7|签收 #3", "snooze:7|明天再提醒", "done:7|已办结", "", "ack:8|签收 #4"]
    rows = decode_buttons(old)
    assert encode_buttons(rows) == old
    assert [[route_callback(b.data) for b in row][1:] for row in rows][0] == [
        Route("snooze", "@7", button=True), Route("done_ask", "@7", button=True)]
