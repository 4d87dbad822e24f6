"""`python -m assistant db migrate --to URL`: the records of the data folder (the SQLite files of the
accounts, the audit trail with its retained copies, the conversations, the feedback and the sign-in throttle;
an accounts file of an earlier version not taken over yet stands for the accounts) copied into a new, empty
PostgreSQL database in one transaction, the rows of every table counted on both sides before it is
committed. The data folder is only read; a target that holds records already is refused; the password is
never printed (the URL is shown as postgresql://user:***@host/name)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Table, func, select, text

from assistant.access import accounts
from assistant.access.accounts_file import read_file
from assistant.core.errors import DatabaseError, InputError
from assistant.core.settings import Settings, get_settings
from assistant.database.connection import Database
from assistant.database.schema import Schema
from assistant.records import audit, conversations, feedback, throttle

# Each record's schema and the file it has in a data folder.
FILES: list[tuple[Schema, str]] = [
    (accounts.SCHEMA, accounts.FILE_NAME),
    (audit.SCHEMA, audit.FILE_NAME),
    (conversations.SCHEMA, conversations.FILE_NAME),
    (feedback.SCHEMA, feedback.FILE_NAME),
    (throttle.SCHEMA, throttle.FILE_NAME),
]
LABELS = {
    "accounts": "tài khoản",
    "accounts_taken_over": "tệp tài khoản cũ đã chuyển",
    "audit": "nhật ký thao tác",
    "retained": "bản lưu tài liệu đã xóa/thay",
    "conversations": "hội thoại",
    "feedback": "góp ý",
    "throttle": "bộ đếm đăng nhập sai",
}
BATCH = 500
# New audit entries go on after the copied ids.
NEXT_AUDIT_ID = (
    "SELECT setval(pg_get_serial_sequence('audit', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
    "FROM audit"
)


@click.group()
def db() -> None:
    """Cơ sở dữ liệu của hồ sơ (tài khoản, nhật ký thao tác, hội thoại, góp ý, bộ đếm đăng nhập sai)."""


@db.command("migrate")
@click.option(
    "--to",
    "target",
    metavar="URL",
    default=None,
    help="Cơ sở dữ liệu PostgreSQL mới, trống: postgresql://người_dùng:mật_khẩu@máy:5432/tên "
    "(mặc định: KH32_DATABASE_URL; mật khẩu cũng có thể để trong PGPASSWORD hoặc ~/.pgpass).",
)
def migrate(target: str | None) -> None:
    """Chép hồ sơ của thư mục dữ liệu (các tệp SQLite, cả tài khoản) sang một cơ sở dữ liệu PostgreSQL
    mới, kiểm tra số dòng từng bảng. Thư mục dữ liệu được giữ nguyên."""
    settings = get_settings()
    target = target or settings.database
    if not target:
        raise InputError(
            "Hãy cho địa chỉ cơ sở dữ liệu đích: --to postgresql://người_dùng:mật_khẩu@máy:5432/tên "
            "(hoặc đặt KH32_DATABASE_URL)."
        )
    database = Database.postgresql(target)
    try:
        counts = copy_records(settings, database)
    finally:
        database.dispose()
    click.echo(f"Đã chép hồ sơ của thư mục dữ liệu '{settings.data_dir}' sang {database.where}:")
    for table, count in counts.items():
        click.echo(f"  {LABELS.get(table, table)} ({table}): {count} dòng, khớp với nguồn")
    click.echo(
        "Từ nay đặt KH32_DATABASE_URL tới cơ sở dữ liệu này trên mọi máy chạy trợ lý; các tệp trong thư mục "
        "dữ liệu được giữ nguyên (có thể cất đi làm bản sao lưu)."
    )


def copy_records(settings: Settings, database: Database) -> dict[str, int]:
    """Copy every record of the data folder into `database` (made and empty); the rows of each table, as
    counted in the target before the commit (equal to the source's, or nothing is committed)."""
    for schema, _ in FILES:
        database.prepare(schema, "cơ sở dữ liệu đích")
    source = {
        table.name: list(rows)
        for schema, file_name in FILES
        for table, rows in _source(settings, schema, file_name)
    }
    _untaken_accounts(settings, source)
    with database.write("cơ sở dữ liệu đích") as target:
        held = {t.name: n for t in _tables() if (n := _count(target, t))}
        if held:
            listed = ", ".join(f"{name}: {n} dòng" for name, n in held.items())
            raise InputError(
                f"Cơ sở dữ liệu đích {database.where} đã có hồ sơ ({listed}); lệnh chỉ chép vào một cơ sở dữ "
                "liệu mới, trống, để không trộn hay ghi đè dữ liệu. Hãy tạo một cơ sở dữ liệu mới (createdb)."
            )
        for table in _tables():
            rows = source.get(table.name, [])
            for start in range(0, len(rows), BATCH):
                target.execute(table.insert(), rows[start : start + BATCH])
        target.execute(text(NEXT_AUDIT_ID))
        counts = {t.name: _count(target, t) for t in _tables()}
        expected = {name: len(source.get(name, [])) for name in counts}
        wrong = {name: (expected[name], n) for name, n in counts.items() if n != expected[name]}
        if wrong:
            shown = ", ".join(f"{name}: nguồn {a}, đích {b}" for name, (a, b) in wrong.items())
            raise DatabaseError(f"Số dòng không khớp ({shown}); không có gì được chép, hãy báo lỗi này.")
    return counts


def _tables() -> Iterator[Table]:
    for schema, _ in FILES:
        yield from schema.tables


def _count(db: Any, table: Table) -> int:
    return int(db.execute(select(func.count()).select_from(table)).scalar() or 0)


def _untaken_accounts(settings: Settings, source: dict[str, list[dict]]) -> None:
    """The accounts of an accounts file of an earlier version that the data folder has not taken over yet
    (read only: the file is left as it is) stand for the accounts, when the folder's table has none."""
    found = read_file(settings.accounts_path)
    if found is None:
        return
    users, digest = found
    if digest in {row["digest"] for row in source.get(accounts.TAKEN_OVER.name, [])}:
        return
    if source.get(accounts.ACCOUNTS.name):
        raise InputError(
            f"Thư mục dữ liệu có cả bảng tài khoản ({accounts.FILE_NAME}) lẫn tệp tài khoản cũ "
            f"'{settings.accounts_path}' chưa được chuyển vào bảng; lệnh không tự chọn hay trộn hai nơi. "
            "Nếu tệp là bản cũ, hãy dời nó đi rồi chạy lại lệnh."
        )
    source[accounts.ACCOUNTS.name] = [
        {"name": n, "role": e["role"], "hash": e["hash"]} for n, e in users.items()
    ]


def _source(settings: Settings, schema: Schema, file_name: str) -> Iterator[tuple[Table, list[dict]]]:
    """The rows of each table of a record in the data folder (none when its file is not there), read
    without changing the file: a file of an older version gets the defaults of its missing columns."""
    path = Path(settings.data_dir) / file_name
    if not path.exists():
        return
    try:
        with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as source:
            source.row_factory = sqlite3.Row
            for table in schema.tables:
                present = {row[1] for row in source.execute(f'PRAGMA table_info("{table.name}")')}
                if not present:
                    continue
                columns = [c for c in table.columns if c.name in present]
                missing = {c.name: "" for c in table.columns if c.name not in present}
                names = ", ".join(f'"{c.name}"' for c in columns)
                found = source.execute(f'SELECT {names} FROM "{table.name}"').fetchall()
                yield table, [{**missing, **dict(row)} for row in found]
    except sqlite3.Error as exc:
        raise DatabaseError(f"Không đọc được tệp '{path}' của thư mục dữ liệu: {exc}.") from exc
