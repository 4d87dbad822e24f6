"""Command line: `python -m assistant ingest|docs|ask` — thin shells over the assistant API."""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from assistant.answering.chain import Assistant
from assistant.cli.admin import audit, operator, users
from assistant.cli.db import db
from assistant.cli.documents import ingest_command, status_text
from assistant.cli.quiz import quiz_command
from assistant.core.errors import AssistantError, InputError
from assistant.core.models import Answer
from assistant.core.settings import Settings, get_settings
from assistant.language.text import shown_name, text_problem
from ingest.documents import rechunk_documents
from ingest.rechunk import Rebuilt, start_up

# tqdm's bar in Vietnamese: texts embedded (chunks and their sentences), time spent and time left.
BAR_FORMAT = (
    "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} đoạn và câu "
    "[đã chạy {elapsed}, còn khoảng {remaining}, {rate_fmt}]"
)


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A tqdm bar on stderr, sized when ingest first reports its total (counted before any embedding,
    so the time left is estimated from the first batch); none when nothing needs embedding."""
    bars: list[tqdm] = []

    def update(done: int, total: int) -> None:
        if not bars and total > 0:
            bar = tqdm(total=total, desc=label, unit="", file=sys.stderr, leave=False, bar_format=BAR_FORMAT)
            bars.append(bar)
        if bars:
            bars[0].update(done - bars[0].n)

    try:
        yield update
    finally:
        for bar in bars:
            bar.close()


def _assistant() -> Assistant:
    """The assistant on the configured store, with the bundled corpus ingested into an empty store and the
    documents an older version of the chunking cut made again (what was done is said on stderr)."""
    settings = get_settings()
    assistant = _open(settings)
    with _progress("Nạp bộ tài liệu mẫu") as update:
        _report(start_up(assistant.store, settings, update))
    return assistant


def _report(rebuilt: Rebuilt) -> None:
    """Say on stderr which documents were cut again, and which could not be."""
    for r in rebuilt.results:
        if r.rechunked:
            click.echo(f"{r.doc_id}: {status_text(r)} theo phiên bản mới ({r.chunks} đoạn)", err=True)
    for notice in rebuilt.notices():
        click.echo(f"Lưu ý: {notice}", err=True)


def _open(settings: Settings) -> Assistant:
    """The assistant; a write that waits for another process's says so on stderr."""
    assistant = Assistant(settings)
    assistant.store.on_wait = lambda message: click.echo(message, err=True)
    return assistant


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Trợ lý Kế hoạch 32: hỏi đáp có trích dẫn về Kế hoạch 32-KH/BCSĐ và văn bản liên quan.

    Dòng lệnh là công cụ quản trị của máy chủ: ai chạy được nó trên máy thì có quyền quản trị (nạp, xóa tài
    liệu, quản lý tài khoản); nhật ký ghi tên đăng nhập thật của tiến trình.
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--remove", "remove_id", metavar="DOC", help="Xóa tài liệu có mã DOC khỏi kho.")
@click.option("--replace", is_flag=True, help="Cho phép tệp thay thế tài liệu cùng mã (xem trước thay đổi).")
@click.option("--yes", is_flag=True, help="Thay thế không hỏi lại (dùng với --replace).")
def ingest(paths: tuple[Path, ...], remove_id: str | None, replace: bool, yes: bool) -> None:
    """Nạp tệp hoặc thư mục (.txt, .md, .html, .docx, .pdf) vào kho; nạp lại tệp không đổi thì bỏ qua."""
    ingest_command(paths, remove_id, replace, yes, _progress)


@cli.command()
@click.option(
    "--rechunk",
    is_flag=True,
    help="Cắt đoạn lại mọi tài liệu từ văn bản gốc đã lưu (sau khi nâng cấp thư viện cắt đoạn).",
)
def docs(rechunk: bool) -> None:
    """Liệt kê tài liệu trong kho và số đoạn của mỗi tài liệu.

    Tài liệu có các đoạn do phiên bản cũ của bộ cắt đoạn tạo ra được tự động cắt lại từ văn bản gốc.
    """
    assistant = _assistant()
    if rechunk:
        with _progress("Dựng lại các đoạn") as update:
            _report(rechunk_documents(operator(), assistant.store, get_settings(), update))
    documents = assistant.store.documents()
    if not documents:
        click.echo("Kho chưa có tài liệu nào.")
    for d in documents:
        # A file whose name had to be made safe: its original name, escaped so that it stays on one line.
        source = (
            f"\t(tệp gốc: {shown_name(d.source)})" if d.source and Path(d.source).stem != d.doc_id else ""
        )
        click.echo(f"{d.doc_id}\t{d.chunks} đoạn\t{d.short}\t{d.title}{source}")


# A question may start with "-" ("-x là gì?"): unknown options are taken as the question.
@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="In một đối tượng JSON.")
@click.option(
    "--jsonl", "as_jsonl", is_flag=True, help='Đọc các dòng JSON {"id","question","history"?} từ stdin.'
)
@click.option(
    "-k", "--top-k", type=click.IntRange(0, 50), default=None, help="Số đoạn nguồn đưa vào trả lời."
)
@click.option("--mode", type=click.Choice(["llm", "extractive"]), default=None, help="Chế độ trả lời.")
def ask(question: str | None, as_json: bool, as_jsonl: bool, top_k: int | None, mode: str | None) -> None:
    """Hỏi một câu và nhận câu trả lời kèm trích dẫn điều khoản."""
    if as_jsonl:
        if question:
            raise InputError("Với --jsonl, câu hỏi được đọc từ stdin, không truyền trên dòng lệnh.")
        _ask_jsonl(_assistant(), top_k, mode)
        return
    if question is None:
        raise InputError('Hãy nhập câu hỏi, ví dụ: python -m assistant ask "Nhiệm vụ thứ tư là gì?"')
    assistant = _assistant()
    answer = assistant.ask(question, k=top_k, mode=mode)
    if as_json:
        click.echo(json.dumps({"question": answer.question, **answer.to_json()}, ensure_ascii=False))
    else:
        click.echo(render(answer))


cli.add_command(users)
cli.add_command(audit)
cli.add_command(quiz_command(_assistant))
cli.add_command(db)


def render(answer: Answer) -> str:
    """An answer and its sources, for a person reading a terminal."""
    lines = [answer.text]
    if answer.notice:
        lines += ["", f"({answer.notice})"]
    for flag in answer.flags:
        detail = f" — {flag['detail']}" if flag.get("detail") else ""
        lines.append(f"  ⚠ chưa kiểm chứng ({flag['reason']}): {flag['sentence']}{detail}")
    for reading in answer.readings:
        lines.append(f"  ✓ diễn đạt khác tài liệu, mô hình dẫn «{reading['quote']}»: {reading['sentence']}")
    if answer.citations:
        lines += ["", "Nguồn:"]
        for c in answer.citations:
            lines.append(f"[{c.n}] {c.label} — {c.title}")
    return "\n".join(lines)


def _ask_jsonl(assistant: Assistant, top_k: int | None, mode: str | None) -> None:
    """One answer or one error line per input line, always valid JSON; a bad line never stops the batch."""
    failures = 0
    for number, line in _stdin_lines():
        if line is not None and not line.strip():
            continue
        item_id: Any = number
        try:
            if line is None:
                raise InputError(f"Dòng {number} không phải văn bản UTF-8 hợp lệ.")
            item = _json_line(line, number)
            item_id = _echoed_id(item, number)
            question = item.get("question")
            if not isinstance(question, str):
                raise InputError(f'Dòng {number}: "question" phải là một chuỗi văn bản.')
            history = item.get("history") or []
            if not isinstance(history, list) or not all(
                isinstance(t, dict)
                and t.get("role") in ("user", "assistant")
                and isinstance(t.get("content"), str)
                for t in history
            ):
                raise InputError('"history" phải là danh sách {"role": "user"|"assistant", "content": "..."}')
            answer = assistant.ask(question, history, k=top_k, mode=mode)
            out = {"id": item_id, **answer.to_json()}
        except AssistantError as exc:
            failures += 1
            message = exc.message if exc.message.startswith("Dòng ") else f"Dòng {number}: {exc.message}"
            out = {"id": item_id, "error": message}
        except Exception as exc:  # whatever went wrong with one line, the next ones are still answered
            failures += 1
            out = {"id": item_id, "error": f"Dòng {number}: lỗi không mong đợi ({type(exc).__name__})."}
        click.echo(_json_out(out))
        sys.stdout.flush()
    if failures:
        raise InputError(f'{failures} dòng không trả lời được (xem trường "error").')


# An id is echoed back as given when it is a string (of printable text) or a number of at most this
# many characters; a longer number is refused rather than parsed (Python refuses past 4,300 digits).
_MAX_NUMBER_CHARS = 100


def _stdin_lines() -> Iterator[tuple[int, str | None]]:
    """(line number, text) of each stdin line; None for a line whose bytes are not UTF-8."""
    binary = getattr(sys.stdin, "buffer", None)
    for number, raw in enumerate(binary if binary is not None else sys.stdin, start=1):
        if isinstance(raw, str):
            yield number, raw
            continue
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError:
            yield number, None


def _json_line(line: str, number: int) -> dict[str, Any]:
    """A line's JSON object; NaN, Infinity and numbers too long to read are errors, not values."""

    def constant(name: str) -> Any:
        raise InputError(f"Dòng {number}: JSON không cho phép giá trị {name}.")

    def number_of(text: str, kind: type) -> Any:
        if len(text) > _MAX_NUMBER_CHARS:
            raise InputError(f"Dòng {number}: số quá dài ({len(text)} chữ số; tối đa {_MAX_NUMBER_CHARS}).")
        value = kind(text)
        if kind is float and not math.isfinite(value):
            raise InputError(f"Dòng {number}: số {text[:20]} vượt quá giới hạn.")
        return value

    try:
        item = json.loads(
            line,
            parse_constant=constant,
            parse_int=lambda text: number_of(text, int),
            parse_float=lambda text: number_of(text, float),
        )
    except json.JSONDecodeError as exc:
        raise InputError(f"Dòng {number} không phải JSON hợp lệ: {exc.msg}.") from exc
    except RecursionError as exc:  # json.loads on thousands of nested brackets
        raise InputError(f"Dòng {number} là JSON lồng nhau quá sâu.") from exc
    if not isinstance(item, dict):
        raise InputError(f"Dòng {number}: mỗi dòng phải là một đối tượng JSON.")
    return item


def _echoed_id(item: dict[str, Any], number: int) -> Any:
    """The line's id, to echo back: a string or a number as given; the line number when there is none.
    An id that cannot be echoed as valid JSON text is an error of the line (reported under its number)."""
    item_id = item.get("id", number)
    if isinstance(item_id, str) and text_problem(item_id) is None:
        return item_id
    if item_id is None or isinstance(item_id, bool | int | float):
        return item_id
    raise InputError(f'Dòng {number}: "id" phải là một chuỗi văn bản hoặc một số.')


def _json_out(out: dict[str, Any]) -> str:
    """One output line of valid JSON, in UTF-8 text (escaped when some text could not be written)."""
    text = json.dumps(out, ensure_ascii=False, allow_nan=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(out, ensure_ascii=True, allow_nan=False)
    return text


def run_group(group: click.Group) -> None:
    """Run a click group: a user error is one `Lỗi: …` line on stderr and a non-zero exit, no traceback."""
    try:
        group.main(standalone_mode=False)
    except AssistantError as exc:
        click.echo(f"Lỗi: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"Lỗi: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("Đã dừng.", err=True)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("KH32_DEBUG"):
            raise
        click.echo(f"Lỗi không mong đợi: {type(exc).__name__}: {exc}", err=True)
        sys.exit(1)


def main() -> None:
    """`python -m assistant`."""
    run_group(cli)
