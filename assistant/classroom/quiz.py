"""Offline quiz from clause text: fill-in-the-blank and true/false questions, each with key and citation."""

from __future__ import annotations

import json
import math
import random
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby, pairwise
from typing import Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from assistant.answering.support import unsupported_numbers
from assistant.core.errors import InputError, LLMError
from assistant.core.models import Chunk
from assistant.core.prompts import load_prompt
from assistant.language.text import fold, folded_syllables, sentence_spans
from assistant.retrieval.matching import STOPWORDS

BLANK = "_____"
TRUE, FALSE = "Đúng", "Sai"
MIN_WORDS = 8  # shorter sentences (headings, list stubs) make poor questions
LONG_WORDS = 45  # longer sentences are split at ";" into parts that read on their own

ORDINALS = ["nhất", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười"]
_ORDINAL = re.compile(r"\b(Thứ|thứ) (" + "|".join(ORDINALS) + r")\b")
_NUMBER = re.compile(r"(?<![\w/.,-])\d{1,4}(?![\w/]|[.,]\d)")
_WORD = re.compile(r"\w+")
# Opposites that make a statement verifiably false against the verbatim source.
ANTONYMS = {
    "tăng cường": "hạn chế",
    "đẩy mạnh": "tạm dừng",
    "nâng cao": "hạ thấp",
    "đổi mới": "giữ nguyên",
    "hoàn thiện": "bãi bỏ",
    "tinh gọn": "cồng kềnh",
    "công khai": "bí mật",
    "hiệu quả": "kém hiệu quả",
    "giảm": "tăng",
    "phát huy": "hạn chế",
    "bảo đảm": "bỏ qua",
    "độc lập": "phụ thuộc",
}


@dataclass(frozen=True)
class QuizQuestion:
    """One question: the statement shown, the expected answer, and the verbatim source it came from."""

    kind: Literal["blank", "true_false", "choice"]
    prompt: str
    answer: str
    source: str
    citation: str
    chunk_id: str
    explanation: str = ""

    @property
    def instruction(self) -> str:
        """What the learner is asked to do, in Vietnamese."""
        return {
            "blank": "Điền vào chỗ trống",
            "true_false": "Đúng hay sai?",
            "choice": "Chọn một phương án đúng",
        }[self.kind]


@dataclass(frozen=True)
class _Statement:
    text: str  # verbatim part of the source text
    chunk: Chunk


def build_quiz(
    chunks: Sequence[Chunk], count: int = 5, seed: int = 0, corpus: Sequence[Chunk] = ()
) -> list[QuizQuestion]:
    """Up to `count` questions from the chunks' sentences, alternating kinds and spreading over sentences.

    Args:
        chunks: the chosen clauses' chunks, in reading order.
        count: how many questions to make.
        seed: the same seed gives the same quiz.
        corpus: chunks used to judge which terms are rare (the chosen chunks when empty).
    """
    if count < 1:
        raise InputError("Số câu hỏi phải từ 1 trở lên.")
    statements = list(_statements(chunks))
    if not statements:
        raise InputError("Các điều khoản đã chọn không có câu nào đủ dài để ra câu hỏi.")
    idf = _idf([c.text for c in corpus or chunks])
    rng = random.Random(seed)
    pools = [_candidates(s, idf, rng) for s in statements]
    questions: list[QuizQuestion] = []
    seen: set[str] = set()
    round_ = 0
    while len(questions) < count and any(pools):
        for pool in pools:
            wanted = "blank" if (len(questions) + round_) % 3 != 2 else "true_false"
            pick = next((q for q in pool if q.kind == wanted), pool[0] if pool else None)
            if pick is None:
                continue
            pool.remove(pick)
            if pick.prompt not in seen:
                seen.add(pick.prompt)
                questions.append(pick)
            if len(questions) == count:
                break
        round_ += 1
    return questions


def _statements(chunks: Sequence[Chunk]) -> Iterator[_Statement]:
    """Sentences of each clause (its chunks joined, so a sentence cut between chunks is whole again)."""
    for _, group in groupby(chunks, key=lambda c: (c.doc_id, c.clause_key)):
        parts = list(group)
        text = "\n".join(c.text for c in parts)
        bounds = []
        offset = 0
        for c in parts:
            bounds.append((offset, c))
            offset += len(c.text) + 1
        for start, end in sentence_spans(text):
            chunk = next(c for at, c in reversed(bounds) if at <= start)
            sentence = " ".join(text[start:end].split())
            pieces = [sentence]
            if len(sentence.split()) > LONG_WORDS:
                pieces = [p.strip() for p in re.split(r"(?<=;)\s+", sentence) if p.strip()]
            for piece in pieces:
                if len(_WORD.findall(piece)) >= MIN_WORDS:
                    yield _Statement(piece, chunk)


def _idf(texts: Sequence[str]) -> dict[str, float]:
    df = Counter(w for t in texts for w in set(folded_syllables(t)))
    n = max(len(texts), 1)
    return {w: math.log((n + 1) / (f + 0.5)) for w, f in df.items()}


def _candidates(statement: _Statement, idf: dict[str, float], rng: random.Random) -> list[QuizQuestion]:
    """Every question this statement gives, best first within each kind."""
    text, chunk = statement.text, statement.chunk
    made: list[QuizQuestion] = []

    def add(kind: Literal["blank", "true_false"], prompt: str, answer: str, explanation: str) -> None:
        made.append(QuizQuestion(kind, prompt, answer, text, chunk.citation, chunk.id, explanation))

    for start, end in _key_phrases(text, idf):
        add("blank", text[:start] + BLANK + text[end:], text[start:end], f"Nguyên văn: «{text}»")
    falsified = _falsify(text, rng)
    if falsified:
        changed, original = falsified
        add("true_false", changed, FALSE, f"Văn bản ghi «{original}». Nguyên văn: «{text}»")
    add("true_false", text, TRUE, "Câu này trích nguyên văn từ văn bản.")
    return made


def _key_phrases(text: str, idf: dict[str, float]) -> list[tuple[int, int]]:
    """Spans worth blanking: ordinals and numbers first, then the rarest two-syllable terms."""
    spans = [m.span(2) if m.group(1) == "thứ" else m.span() for m in _ORDINAL.finditer(text)]
    spans += [m.span() for m in _NUMBER.finditer(text)]
    words = list(_WORD.finditer(text))
    scored = []
    for a, b in pairwise(words):
        between = text[a.end() : b.start()]
        fa, fb = fold(a.group()), fold(b.group())
        if between != " " or fa in STOPWORDS or fb in STOPWORDS or a.group().isdigit() or b.group().isdigit():
            continue
        if a.start() == 0:
            continue  # blanking the first words leaves nothing to go on
        scored.append((idf.get(fa, 0.0) + idf.get(fb, 0.0), a.start(), b.end()))
    scored.sort(reverse=True)
    for _, start, end in scored[:2]:
        if not any(s < end and start < e for s, e in spans):
            spans.append((start, end))
    return spans


def _falsify(text: str, rng: random.Random) -> tuple[str, str] | None:
    """The statement changed so the source contradicts it, and the words it replaced; None if no rule fits."""
    if match := _ORDINAL.search(text):
        others = [o for o in ORDINALS[:7] if o != match.group(2)]
        new = rng.choice(others)
        return text[: match.start(2)] + new + text[match.end(2) :], match.group()
    if match := _NUMBER.search(text):
        value = match.group()
        new = str(int(value) + rng.choice([1, 2])).zfill(len(value))
        return text[: match.start()] + new + text[match.end() :], value
    lowered = text.lower()
    for word, opposite in ANTONYMS.items():
        at = _find_word(lowered, word)
        if at >= 0:
            original = text[at : at + len(word)]
            replacement = opposite.capitalize() if original[0].isupper() else opposite
            return text[:at] + replacement + text[at + len(word) :], original
    return None


def _find_word(text: str, phrase: str) -> int:
    match = re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text)
    return match.start() if match else -1


def multiple_choice(chunks: Sequence[Chunk], model: BaseChatModel, count: int = 5) -> list[QuizQuestion]:
    """Multiple-choice questions written by an LLM, each kept only if its source sentence is verbatim in
    the chosen clauses and its right option states no number that sentence lacks."""
    if count < 1:
        raise InputError("Số câu hỏi phải từ 1 trở lên.")
    text = "\n\n".join(f"({c.citation})\n{c.text}" for c in chunks)
    prompt = load_prompt("quiz_mcq").format(count=count, text=text)
    try:
        reply = model.invoke([HumanMessage(prompt)]).content
        items = json.loads(re.sub(r"^```(?:json)?|```$", "", str(reply).strip()).strip())
    except Exception as exc:  # a dead endpoint or unparsable output: the caller offers the offline quiz
        raise LLMError(
            "Mô hình ngôn ngữ không tạo được câu hỏi trắc nghiệm; hãy dùng đề ngoại tuyến."
        ) from exc
    questions = [q for item in items if isinstance(item, dict) and (q := _checked_choice(item, chunks))]
    if not questions:
        raise LLMError("Mô hình ngôn ngữ không tạo được câu hỏi trắc nghiệm hợp lệ; hãy dùng đề ngoại tuyến.")
    return questions[:count]


def _checked_choice(item: dict, chunks: Sequence[Chunk]) -> QuizQuestion | None:
    question, options, answer, source = (item.get(k) for k in ("question", "options", "answer", "source"))
    if not (isinstance(question, str) and isinstance(source, str) and isinstance(answer, int)):
        return None
    if not (isinstance(options, list) and len(options) == 4 and len({str(o) for o in options}) == 4):
        return None
    if not 0 <= answer < 4:
        return None
    chunk = next((c for c in chunks if source.strip() and source.strip() in c.text), None)
    if chunk is None or unsupported_numbers(str(options[answer]), [source]):
        return None  # no verbatim source, or a right option the source does not back
    letters = "ABCD"
    listed = "\n\n".join(f"{letters[i]}. {o}" for i, o in enumerate(options))
    return QuizQuestion(
        kind="choice",
        prompt=f"{question.strip()}\n\n{listed}",
        answer=f"{letters[answer]}. {options[answer]}",
        source=source.strip(),
        citation=chunk.citation,
        chunk_id=chunk.id,
    )
