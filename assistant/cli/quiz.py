"""`python -m assistant quiz`: a quiz from one stored document (or some of its clauses), for trainers who
script; the trainer page builds it with the same API (assistant/classroom/quiz.py)."""

from __future__ import annotations

import json
from collections.abc import Callable

import click

from assistant.answering.chain import Assistant
from assistant.classroom.handout import quiz_blocks, to_text
from assistant.classroom.quiz import MAX_COUNT, parse_kinds, select_clauses, store_quiz
from assistant.core.errors import InputError
from assistant.language.text import nfc


def _whole(value: str, what: str, least: int, most: int) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        number = least - 1
    if not least <= number <= most:
        raise InputError(f"{what} phải là số nguyên từ {least} đến {most} (nhận được '{value}').")
    return number


def quiz_command(opened: Callable[[], Assistant]) -> click.Command:
    """The `quiz` command over the assistant that `opened` gives (the bundled corpus ingested when empty)."""

    @click.command("quiz")
    @click.option("--doc", "doc_id", metavar="ID", help="Mã tài liệu (xem: python -m assistant docs).")
    @click.option(
        "--clause",
        "labels",
        multiple=True,
        metavar="LABEL",
        help='Điều khoản, ví dụ "Điều 2" (lặp lại được).',
    )
    @click.option("--count", default="10", metavar="N", help=f"Số câu hỏi (1–{MAX_COUNT}; mặc định 10).")
    @click.option(
        "--kinds",
        default="blank,true_false,choice",
        metavar="KINDS",
        help="Loại câu và tỉ lệ: blank,true_false,choice (mặc định, chia đều) hoặc blank:2,choice:1.",
    )
    @click.option("--seed", default="0", metavar="S", help="Mã đề: cùng mã cho cùng đề (mặc định 0).")
    @click.option("--json", "as_json", is_flag=True, help="In đề dưới dạng JSON.")
    def quiz(
        doc_id: str | None, labels: tuple[str, ...], count: str, kinds: str, seed: str, as_json: bool
    ) -> None:
        """Ra đề kiểm tra ngoại tuyến từ một tài liệu: điền chỗ trống, đúng/sai, trắc nghiệm, kèm đáp án."""
        if not doc_id:
            raise InputError("Hãy chọn tài liệu: --doc MÃ (xem danh sách: python -m assistant docs).")
        number = _whole(count, "Số câu hỏi (--count)", 1, MAX_COUNT)
        shares = parse_kinds(kinds)
        code = _whole(seed, "Mã đề (--seed)", 0, 2**31 - 1)
        assistant = opened()
        labels = tuple(nfc(label) for label in labels)
        chosen = select_clauses(assistant.store.chunks(), nfc(doc_id).strip(), labels)
        questions = store_quiz(assistant.store, chosen, number, code, shares)
        if as_json:
            items = [q.to_json() for q in questions]
            click.echo(json.dumps({"doc": doc_id, "seed": code, "items": items}, ensure_ascii=False))
            return
        where = chosen[0].doc_short + (f" ({', '.join(labels)})" if labels else "")
        click.echo(to_text(quiz_blocks(questions, f"Đề kiểm tra: {where} — mã đề {code}")), nl=False)
        if len(questions) < number:
            click.echo(f"(Văn bản đã chọn chỉ đủ cho {len(questions)} câu hỏi.)", err=True)

    return quiz
