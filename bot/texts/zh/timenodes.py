"""时间节点识别的中文提示（导入预览中逐条显示）。"""

MESSAGES: dict[str, str] = {
    "timenode.placeholder": "“{phrase}”是模板占位年份或日期，未设为时间节点，请补充具体日期。",
    "timenode.vague": "“{phrase}”没有具体时间，未设为时间节点；如有期限请补充。",
    "timenode.undated_recurring": "“{phrase}”表示定期开展，但未说明周期，请设置提醒周期。",
    "timenode.month_before": "“{phrase}”按上月月底计算（如“10月前”记为9月30日），请核对。",
    "timenode.year_before": "“{phrase}”按前一年年底计算（如“2025年前”记为2024年12月31日），请核对。",
    "timenode.past": "“{phrase}”早于文件年度，视为已发生的情况，未设为时间节点。",
    "timenode.duration": "“{phrase}”只给出时长，按文件年度起算估计完成年份，请核对。",
    "timenode.occ_month": "{month}月",
    "timenode.occ_quarter": "第{cn}季度",
    "timenode.occ_half_1": "上半年",
    "timenode.occ_half_2": "下半年",
    "timenode.occ_year": "{year}年度",
    "timenode.occ_week": "第{n}周",
}
