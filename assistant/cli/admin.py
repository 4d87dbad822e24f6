"""`python -m assistant users add|remove|list|set-role|password` — the local accounts — and
`python -m assistant audit [--csv] | audit restore ENTRY` — the audit trail. The command line is the
machine's administrator tool: whoever can run it on the server (and write its data folder) acts as an
admin, recorded in the audit trail as 'cli:<login>', the login of the process's real user id (not of
LOGNAME or USER, which anyone can set)."""

from __future__ import annotations

import getpass
import os
import pwd
import sys
import time

import click

from assistant.access.accounts import Accounts
from assistant.access.roles import ROLE_LABELS, Role, User, parse_role
from assistant.answering.chain import Assistant
from assistant.core.errors import InputError
from assistant.core.settings import get_settings
from assistant.records.audit import ACTIONS, audit_log
from ingest.documents import audit_csv, audit_rows, restore_document

ROLE_NAMES = ", ".join(r.value for r in Role)


def operator() -> User:
    """The person at the server's command line: an admin, named by the login of the real user id."""
    return User(f"cli:{(login := _login())}", Role.ADMIN, display=f"dòng lệnh ({login})")


def _login() -> str:
    """The login of the process's real user id (the environment's LOGNAME and USER are not asked)."""
    if not hasattr(os, "getuid"):
        return getpass.getuser()  # no user ids (Windows): the login the system reports
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:  # a user id with no name (a container's)
        return str(os.getuid())


def _accounts() -> Accounts:
    """The configured accounts; what the admin should know of an accounts file of an earlier version (taken
    over now, or KH32_ACCOUNTS_FILE no longer used) goes to stderr."""
    accounts = Accounts.of(get_settings())
    if accounts.notice:
        click.echo(f"Lưu ý: {accounts.notice}", err=True)
    return accounts


def _password(given_on_stdin: bool) -> str:
    if given_on_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = click.prompt("Mật khẩu", hide_input=True)
    if click.prompt("Nhập lại mật khẩu", hide_input=True) != first:
        raise InputError("Hai lần nhập mật khẩu không khớp; tài khoản không thay đổi.")
    return first


@click.group()
def users() -> None:
    """Quản lý tài khoản cục bộ (bảng tài khoản của cơ sở dữ liệu hồ sơ, mật khẩu băm argon2)."""


@users.command("add")
@click.argument("name")
@click.option("--role", "role_text", default="reader", show_default=True, help=f"Vai trò: {ROLE_NAMES}.")
@click.option("--password-stdin", is_flag=True, help="Đọc mật khẩu từ dòng đầu của stdin.")
def add(name: str, role_text: str, password_stdin: bool) -> None:
    """Thêm tài khoản NAME."""
    role = parse_role(role_text)
    added = _accounts().add(name, _password(password_stdin), role)
    audit_log(get_settings()).record(operator().name, "user_add", detail=f"{added}: {role.value}")
    click.echo(f"Đã thêm tài khoản '{added}' (vai trò {ROLE_LABELS[role]}).")


@users.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Xóa tài khoản NAME."""
    accounts = _accounts()
    name = accounts.stored_name(name)  # as stored: the audit trail and the message name the real account
    role = accounts.remove(name)
    audit_log(get_settings()).record(operator().name, "user_remove", detail=f"{name}: {role.value}")
    click.echo(f"Đã xóa tài khoản '{name}'.")


@users.command("list")
def list_users() -> None:
    """Liệt kê tài khoản và vai trò."""
    entries = _accounts().entries()
    if not entries:
        click.echo("Chưa có tài khoản nào (giao diện chạy ở chế độ một người dùng trên máy này).")
    for name, role in entries:
        click.echo(f"{name}\t{role.value}\t{ROLE_LABELS[role]}")


@users.command("set-role")
@click.argument("name")
@click.argument("role_text", metavar="ROLE")
def set_role(name: str, role_text: str) -> None:
    """Đổi vai trò của tài khoản NAME thành ROLE."""
    role = parse_role(role_text)
    key, before = _accounts().set_role(name, role)
    audit_log(get_settings()).record(
        operator().name, "role_change", detail=f"{key}: {before.value} → {role.value}"
    )
    click.echo(f"Tài khoản '{key}': {ROLE_LABELS[before]} → {ROLE_LABELS[role]}.")


@users.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Đọc mật khẩu từ dòng đầu của stdin.")
def password(name: str, password_stdin: bool) -> None:
    """Đặt mật khẩu mới cho tài khoản NAME."""
    accounts = _accounts()
    name = accounts.stored_name(name)
    accounts.set_password(name, _password(password_stdin))
    audit_log(get_settings()).record(operator().name, "password_change", detail=name)
    click.echo(f"Đã đổi mật khẩu của '{name}'.")


@click.group(invoke_without_command=True)
@click.option("--csv", "as_csv", is_flag=True, help="In nhật ký dạng CSV.")
@click.pass_context
def audit(ctx: click.Context, as_csv: bool) -> None:
    """Nhật ký thao tác: ai nạp, thay thế, xóa, khôi phục tài liệu, đổi vai trò, khi nào."""
    if ctx.invoked_subcommand:
        return
    if as_csv:
        click.echo(audit_csv(operator(), get_settings()), nl=False)
        return
    rows = audit_rows(operator(), get_settings())
    if not rows:
        click.echo("Nhật ký trống.")
    for r in rows:
        restorable = " [khôi phục được]" if r["expires"] else ""
        chunks = "" if r["chunks"] is None else f" {r['chunks']} đoạn"
        click.echo(
            f"{r['id']}\t{_when(r['at'])}\t{r['actor']}\t{ACTIONS.get(r['action'], r['action'])}\t"
            f"{r['doc_id']}{chunks}\t{r['detail']}{restorable}"
        )


@audit.command("restore")
@click.argument("entry", type=int)
def restore(entry: int) -> None:
    """Khôi phục tài liệu từ bản lưu của mục nhật ký ENTRY (một lần xóa hoặc thay thế)."""
    settings = get_settings()
    doc_id, chunks = restore_document(operator(), Assistant(settings).store, settings, entry)
    click.echo(f"Đã khôi phục tài liệu '{doc_id}' ({chunks} đoạn).")


def _when(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))
