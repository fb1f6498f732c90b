"""Working-day calendar texts (zh-CN)."""

MESSAGES: dict[str, str] = {
    "calendar.file_bad_date": "{file} 第 {line} 行：无法识别日期 '{value}'（应为 2027-01-01 这样的格式）",
    "calendar.file_missing_kind": "{file} 第 {line} 行：日期 {date} 后缺少类型（休 或 班）",
    "calendar.file_bad_kind": (
        "{file} 第 {line} 行：无法识别类型 '{value}'（放假写 休/假/holiday/off/0，上班写 班/上班/workday/work/1）"
    ),
    "calendar.file_conflict": "{file} 第 {line} 行：日期 {date} 与第 {first_line} 行的设定相矛盾",
    "calendar.file_encoding": "{file}：无法识别文件编码，请另存为 UTF-8 或 GBK 后重试",
    "calendar.file_empty": "{file}：文件中没有找到任何日期",
    "calendar.current_year_missing": (
        "本年（{year} 年）尚无国务院放假安排数据，工作日只能估算，相关提醒日期均标注“估算”。"
        "请升级 chinesecalendar，或用 duban calendar load 导入本年调休表。"
    ),
    "calendar.next_year_missing": (
        "明年（{year} 年）尚无国务院放假安排数据，涉及 {year} 年的工作日暂按估算计算并标注“估算”。"
        "官方通知发布后，请升级 chinesecalendar 或用 duban calendar load 导入调休表。"
    ),
    "calendar.source.override": "管理员设定",
    "calendar.source.official": "国务院安排",
    "calendar.source.estimate": "估算",
    "calendar.source.weekend": "估算（仅按周末）",
    "calendar.estimated_mark": "（估算）",
    "calendar.day_working": "上班",
    "calendar.day_off": "休息",
}
