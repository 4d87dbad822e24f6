"""How the answer reads: the sentences quoted with citation markers, the refusal, the user-facing texts."""

from __future__ import annotations

from assistant.answering.extractive.sentences import Sentence
from assistant.core.models import Answer, Citation
from assistant.core.passages import heading_title
from assistant.language.text import fold, folded_syllables
from assistant.retrieval.premises import Missing
from assistant.retrieval.retriever import Query

REFUSAL = "Tài liệu hiện có không đề cập đến nội dung này."
REFUSAL_HINT = (
    "Kho hiện có: {library}. Bạn có thể hỏi về nội dung các văn bản này, "
    "hoặc nạp thêm tài liệu có nội dung cần tìm."
)
EMPTY_HINT = "Kho chưa có tài liệu nào: hãy nạp tài liệu cần hỏi."
PART_MISSING = (
    "Không tìm thấy {what} của {document}: văn bản trong kho không có phần này và không câu nào nói đến."
)
CONTINUED = "(Điều khoản còn tiếp: xem toàn văn {label}.)"
UNIT_COUNT = "{document} có {count} {unit} ({span}), theo cấu trúc của văn bản trong kho."
YES, NO = "Có.", "Không."
TRUE, FALSE = "Đúng.", "Sai."
LETTER = "Đáp án: {letter}."
OTHERS_BACKED = "Các phương án còn lại đều có trong văn bản được trích."
CHOICE_FOR_THE_READER = (
    "Điều khoản được trích không tự quyết định phương án nào đúng: hãy đối chiếu nội dung trích dẫn."
)
FOR_THE_READER = "Điều khoản được trích không tự quyết định đúng hay sai: hãy đối chiếu nội dung trích dẫn."
NOT_DEFINED = (
    "Văn bản được trích không định nghĩa khái niệm được hỏi: dưới đây là các quy định có liên quan đến nó."
)
ENGLISH_LEAD = "According to {source}, in the documents' own Vietnamese words:"
ENGLISH_NOTICE = "Chế độ ngoại tuyến trích nguyên văn tiếng Việt từ tài liệu, không dịch."


def compose(query: Query, chosen: list[Sentence]) -> Answer:
    """The answer that quotes the chosen sentences, each followed by a citation marker assigned here."""
    numbers: dict[str, int] = {}
    quotes: dict[str, list[str]] = {}
    lines: list[str] = []
    previous = None
    quoted_at: dict[tuple[str, ...], int] = {}  # the line of each wording already quoted
    for sentence in chosen:
        n = numbers.setdefault(sentence.chunk.id, len(numbers) + 1)
        quotes.setdefault(sentence.chunk.id, []).append(sentence.text)
        wording = tuple(folded_syllables(sentence.text))
        if wording in quoted_at:
            # The same words in another clause (or law): quoted once, with both markers.
            if not lines[quoted_at[wording]].endswith(f"[{n}]"):
                lines[quoted_at[wording]] += f" [{n}]"
            previous = None
            continue
        quoted_at[wording] = len(lines) - (n == previous)
        if n == previous:
            # Sentences of one chunk in a row share one line and one marker (header lines too).
            said = lines[-1].removesuffix(f" [{n}]")
            joint = " " if said.endswith((".", ";", ":", "!", "?")) else " — "
            lines[-1] = f"{said}{joint}{sentence.text} [{n}]"
        else:
            lines.append(f"{sentence.text} [{n}]")
        previous = n
    by_id = {s.chunk.id: s.chunk for s in chosen}
    citations = [
        Citation(
            n=n,
            doc=by_id[cid].doc_id,
            title=by_id[cid].doc_title,
            clause=by_id[cid].clause_label,
            label=by_id[cid].citation,
            text=by_id[cid].text,
            chunk_id=cid,
            start=by_id[cid].start,
            end=by_id[cid].end,
            quotes=tuple(quotes[cid]),
        )
        for cid, n in numbers.items()
    ]
    first = chosen[0].chunk
    clauses = {(s.chunk.doc_short, s.chunk.clause_label) for s in chosen}
    docs = list(dict.fromkeys(s.chunk.doc_short for s in chosen))
    # A heading that is what is quoted ("Điều 2. Nghị quyết này có hiệu lực …") is not said twice.
    title = heading_title(first)
    said = fold(chosen[0].text).rstrip(" .;:")
    heading = f" — {title}" if title and fold(title).rstrip(" .;:") != said else ""
    if query.english:
        # An English question is answered in the documents' own Vietnamese words, and says so first.
        source = (
            f"{first.doc_short} ({first.clause_label}{heading})" if len(clauses) == 1 else " and ".join(docs)
        )
        lead = ENGLISH_LEAD.format(source=source)
    else:
        lead = (
            f"Theo {first.doc_short} ({first.clause_label}{heading}):"
            if len(clauses) == 1
            else f"Theo {' và '.join(docs)}:"
        )
    text = lead + "\n\n" + "\n\n".join(lines) if len(lines) > 1 else f"{lead} {lines[0]}"
    notice = ENGLISH_NOTICE if query.english else None
    return Answer(query.text, text, False, citations, notice=notice)


def refusal(library: str) -> str:
    """The refusal, with a hint that names what the store holds."""
    return f"{REFUSAL} {REFUSAL_HINT.format(library=library) if library else EMPTY_HINT}"


def part_refusal(what: str, document: str, library: str) -> str:
    """The refusal of a question asking for a part its document lacks ("Không tìm thấy người ký … của KH
    32-KH/BCSĐ …"), then the hint."""
    found = PART_MISSING.format(what=what, document=document)
    return f"{found} {REFUSAL_HINT.format(library=library) if library else EMPTY_HINT}"


def premise_refusal(missing: Missing, library: str) -> str:
    """The refusal of a question whose premise no document states: which one was not found, then the
    hint ("Không tìm thấy 'Bộ Quốc phòng' trong KH 199/KH-UBND. Kho hiện có: …")."""
    return f"{missing.message} {REFUSAL_HINT.format(library=library) if library else EMPTY_HINT}"
