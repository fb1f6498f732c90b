"""运维相关文本：备份、恢复与自检。"""

MESSAGES = {
    "ops.file_needed": "错误：duban db {action} 需要指定文件 FILE",
    "ops.backup_done": "已备份到 {file}。",
    "ops.restore_done": "已从 {file} 恢复数据库。",
    "ops.restore_refused": "错误：数据库中已有任务或人员，恢复将覆盖它们。如确需替换，请加 --force。",
    "ops.backend_unsupported": "错误：备份仅支持 SQLite 和 PostgreSQL，不支持 {backend}",
    "ops.sqlite_memory": "错误：内存中的 SQLite 数据库无法备份或恢复",
    "ops.db_file_missing": "错误：数据库文件 {file} 不存在",
    "ops.not_a_backup": "错误：{file} 不是 {kind} 备份文件",
    "ops.tool_missing": "错误：在 PATH 和 /usr/lib/postgresql/*/bin 中均找不到 {tool}，请安装 PostgreSQL 客户端工具",
    "ops.tool_failed": "错误：{tool} 执行失败：{reason}",
}
