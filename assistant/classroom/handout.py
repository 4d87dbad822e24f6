"""Handouts for a class: a conversation or a quiz as Markdown or .docx, every claim with its citation."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from docx import Document
from docx.enum.text import WD_COLOR_INDEX

from assistant.classroom.items import LETTERS, QuizQuestion
from assistant.language.markup import escape_markdown, split_flagged, split_quotes

# A run of text and its style: bold (True) or not (False), or FLAGGED (a sentence an answer's check found
# wanting, marked where it stands); a block is a heading, paragraph, numbered item or quoted passage of runs.
FLAGGED = "flagged"
Run = tuple[str, bool | str]
FLAGGED_NOTE = " (chưa kiểm chứng được với tài liệu)"


@dataclass
class Block:
    kind: Literal["title", "heading", "paragraph", "item", "quote", "note"]
    runs: list[Run] = field(default_factory=list)


def conversation_blocks(messages: Sequence[dict[str, Any]], title: str = "Cuộc trò chuyện") -> list[Block]:
    """A conversation (chat messages with their citations) as handout blocks."""
    blocks = [Block("title", [(f"Trợ lý Kế hoạch 32 — {title}", False)]), _dated()]
    number = 0
    for message in messages:
        if message["role"] == "user":
            number += 1
            blocks.append(Block("heading", [(f"Câu hỏi {number}: {message['content']}", False)]))
            continue
        flagged = [f["sentence"] for f in message.get("flags") or []]
        blocks.extend(
            Block("paragraph", [(t, FLAGGED if marked else False) for t, marked in split_flagged(p, flagged)])
            for p in _paragraphs(message["content"])
        )
        citations = message.get("citations") or []
        if citations:
            blocks.append(Block("paragraph", [("Nguồn:", True)]))
        for c in citations:
            blocks.append(Block("item", [(f"[{c['n']}] {c['label']}", True), (f" — {c['title']}", False)]))
            blocks.append(Block("quote", split_quotes(c["text"], c.get("quotes") or [])))
    return blocks


def quiz_blocks(
    questions: Sequence[QuizQuestion], title: str = "Đề kiểm tra", part: str = "both"
) -> list[Block]:
    """A quiz as handout blocks: the question sheet (`part` "questions"), the answer key with each question's
    source ("key"), or both, the sheet first ("both")."""
    blocks = [Block("title", [(title if part != "key" else f"Đáp án — {title}", False)]), _dated()]
    sources = list(dict.fromkeys(q.citation for q in questions))
    blocks.append(Block("note", [("Nguồn: " + "; ".join(sources), False)]))
    if part in ("both", "questions"):
        blocks.append(Block("heading", [("Câu hỏi", False)]))
        for i, q in enumerate(questions, 1):
            blocks.append(
                Block("item", [(f"Câu {i} ({q.instruction}) — {q.citation}:", True), (f" {q.stem}", False)])
            )
            blocks.extend(
                Block("paragraph", [(f"{LETTERS[k]}. {o}", False)]) for k, o in enumerate(q.choices)
            )
    if part in ("both", "key"):
        blocks.append(Block("heading", [("Đáp án", False)]))
        for i, q in enumerate(questions, 1):
            blocks.append(Block("item", [(f"Câu {i}: {q.answer}", True), (f" — {q.citation}", False)]))
            blocks.append(Block("quote", [(q.explanation or q.source, False)]))
    return blocks


def to_text(blocks: Sequence[Block]) -> str:
    """Plain text for a terminal: headings underlined, items and quotes indented."""
    lines = []
    for block in blocks:
        text = "".join(t for t, _ in block.runs)
        if block.kind in ("title", "heading"):
            lines += [text, ("=" if block.kind == "title" else "-") * min(len(text), 60)]
        elif block.kind == "quote":
            lines.append("    " + text.replace("\n", "\n    "))
        else:
            lines.append(text)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def to_markdown(blocks: Sequence[Block]) -> str:
    """Markdown in which document text is escaped, so it reads exactly as the source."""
    lines = []
    for block in blocks:
        text = "".join(_markdown_run(t, style) for t, style in block.runs)
        prefix = {"title": "# ", "heading": "## ", "item": "- ", "quote": "> ", "note": "_"}.get(
            block.kind, ""
        )
        if block.kind == "quote":
            text = text.replace("\n", "\n> ")
        lines.append(prefix + text + ("_" if block.kind == "note" else ""))
    return "\n\n".join(lines) + "\n"


def to_docx(blocks: Sequence[Block]) -> bytes:
    """A Word document of the blocks."""
    document = Document()
    for block in blocks:
        if block.kind in ("title", "heading"):
            document.add_heading("".join(t for t, _ in block.runs), level=0 if block.kind == "title" else 1)
            continue
        style = {"item": "List Bullet", "quote": "Quote"}.get(block.kind)
        paragraph = document.add_paragraph(style=style)
        for text, style in block.runs:
            run = paragraph.add_run(text)
            run.bold = style is True
            run.italic = block.kind == "note" or style == FLAGGED
            if style == FLAGGED:  # highlighted where it stands, with what it lacks
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
                paragraph.add_run(FLAGGED_NOTE).italic = True
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _markdown_run(text: str, style: bool | str) -> str:
    safe = escape_markdown(text, streamlit=False)
    if style == FLAGGED:
        return f"**{safe}**_{FLAGGED_NOTE}_"
    return f"**{safe}**" if style else safe


def _dated() -> Block:
    return Block("note", [(f"Xuất ngày {date.today():%d/%m/%Y}", False)])


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]
