"""The offline quiz: items of the chosen kinds in the chosen proportions, spread over the chosen clauses, no
two on the same fact, the same for the same seed; every false statement flagged by the claim check against its
source, every true one passing it."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from assistant.answering.support import SupportScorer
from assistant.classroom.blanks import blank_item
from assistant.classroom.choices import choice_item, distractors
from assistant.classroom.items import FALSE, KINDS, TRUE, Kind, QuizQuestion
from assistant.classroom.sentences import Sentence, clause_sentences, clauses
from assistant.classroom.spans import BODY, Span, Stats, normal, testable
from assistant.classroom.statements import Check, describe, false_statements, flagged
from assistant.core.errors import InputError
from assistant.core.models import Chunk
from assistant.language.text import fold, folded_syllables
from assistant.store.chroma import Store
from assistant.store.embeddings import E5Embeddings

MAX_COUNT = 100
STATEMENT_WORDS = 70  # a longer sentence is a paragraph to judge, not a statement: blanks only
KIND_NAMES = {"blank": "điền chỗ trống", "true_false": "đúng/sai", "choice": "trắc nghiệm"}


def parse_kinds(text: str) -> dict[Kind, float]:
    """Kinds and their shares from "blank,true_false,choice" (equal shares) or "blank:2,choice:1"."""
    shares: dict[Kind, float] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, _, weight = part.partition(":")
        name = name.strip()
        if name not in KINDS:
            raise InputError(
                f"Loại câu hỏi '{name}' không có. Các loại: {', '.join(KINDS)} "
                "(ví dụ: blank,true_false,choice hoặc blank:2,choice:1)."
            )
        try:
            share = float(weight) if weight.strip() else 1.0
        except ValueError:
            share = -1.0
        if not share > 0:
            raise InputError(f"Tỉ lệ của loại '{name}' phải là một số dương (ví dụ: {name}:2).")
        shares[name] = share  # type: ignore[index]
    if not shares:
        raise InputError("Hãy chọn ít nhất một loại câu hỏi: blank, true_false, choice.")
    return shares


def schedule(count: int, shares: Mapping[Kind, float]) -> list[Kind]:
    """`count` kinds in the given proportions (largest remainders), interleaved evenly."""
    total = sum(shares.values())
    exact = {k: count * s / total for k, s in shares.items()}
    counts = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: counts[k] - exact[k])[: count - sum(counts.values())]:
        counts[k] += 1
    slots = [((i + 0.5) / n, list(shares).index(k), k) for k, n in counts.items() for i in range(n)]
    return [k for *_, k in sorted(slots)]


def select_clauses(chunks: Sequence[Chunk], doc_id: str, labels: Sequence[str] = ()) -> list[Chunk]:
    """The chunks of a document, or of its clauses named by label ("Điều 2" takes in "Điều 2, khoản 1") or
    key; an InputError names the document or clause that is not there."""
    own = [c for c in chunks if c.doc_id == doc_id]
    if not own:
        raise InputError(
            f"Không có tài liệu mã '{doc_id}' trong kho. Xem danh sách: python -m assistant docs."
        )
    if not labels:
        return own
    chosen: list[Chunk] = []
    for label in labels:
        wanted = " ".join(fold(label).split())
        found = [
            c
            for c in own
            if wanted in (fold(c.clause_label), fold(c.clause_key))
            or fold(c.clause_label).startswith(wanted + ",")
            or fold(c.clause_key).startswith(wanted + "/")
        ]
        if not found:
            known = list(dict.fromkeys(c.clause_label for c in own))
            shown = ", ".join(known[:8]) + (f"… ({len(known)} điều khoản)" if len(known) > 8 else "")
            raise InputError(f"Tài liệu '{doc_id}' không có điều khoản '{label}'. Có: {shown}.")
        chosen.extend(c for c in found if c not in chosen)
    return chosen


@dataclass
class _Document:
    """What a document offers to a quiz: its bodies, and its spans by type, for swaps and distractors."""

    bodies: list[str] = field(default_factory=list)
    by_type: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def add(self, span: Span) -> None:
        if span.kind == BODY and span.text not in self.bodies:
            self.bodies.append(span.text)
        self.by_type.setdefault((span.kind, span.type), []).append(span.text)


class QuizBuilder:
    """Reads the chosen clauses and the corpus once, then makes items sentence by sentence."""

    def __init__(self, chunks: Sequence[Chunk], corpus: Sequence[Chunk], check: Check, seed: int) -> None:
        stored = {c.doc_id for c in corpus}
        self.corpus = [*corpus, *(c for c in chunks if c.doc_id not in stored)]
        self.stats = Stats(c.text for c in self.corpus)
        self.check = check
        self.rng = random.Random(seed)
        self.groups = [s for g in clauses(chunks) if (s := clause_sentences(g))]
        self._spans: dict[tuple[str, str, str], list[Span]] = {}

    def spans(self, sentence: Sentence) -> list[Span]:
        key = (*sentence.clause_id, sentence.text)
        if key not in self._spans:
            chunk = sentence.chunk
            heading = frozenset(folded_syllables(f"{chunk.clause_path} {chunk.clause_label}"))
            self._spans[key] = testable(sentence.text, self.stats, heading, _own_name(sentence))
        return self._spans[key]

    @cached_property
    def documents(self) -> dict[str, _Document]:
        """Every corpus document's spans (for the other bodies and options of the same type)."""
        found: dict[str, _Document] = {}
        for group in clauses(self.corpus):
            doc = found.setdefault(group[0].doc_id, _Document())
            for sentence in clause_sentences(group):
                for span in self.spans(sentence):
                    doc.add(span)
        return found

    def _kind_of(self, doc_id: str) -> str:
        short = next((c.doc_short for c in self.corpus if c.doc_id == doc_id), "")
        return short.split(" ")[0]

    def pools(self, sentence: Sentence, span: Span) -> list[list[str]]:
        """Options of the span's type: the document's own, then those of documents of the same kind."""
        own = sentence.chunk.doc_id
        kind = self._kind_of(own)
        same = [d for d in self.documents if d != own and self._kind_of(d) == kind]
        return [self.documents.get(own, _Document()).by_type.get((span.kind, span.type), [])] + [
            self.documents[d].by_type.get((span.kind, span.type), []) for d in same
        ]

    def blank(self, sentence: Sentence, used: set[str]) -> QuizQuestion | None:
        span = next((s for s in self.spans(sentence) if s.key not in used), None)
        return blank_item(sentence, span) if span else None

    def choice(self, sentence: Sentence, used: set[str]) -> QuizQuestion | None:
        for span in self.spans(sentence):
            if span.key in used:
                continue
            wrong = distractors(span, sentence, self.pools(sentence, span), self.check, self.rng)
            if wrong:
                return choice_item(sentence, span, wrong, self.rng)
        return None

    def true_false(self, sentence: Sentence, false: bool) -> QuizQuestion | None:
        if not sentence.complete or len(sentence.text.split()) > STATEMENT_WORDS:
            return None
        if self.check(sentence.text, [sentence.clause]) is not None:
            return None  # a list item is no statement; a sentence the check does not pass is no true one
        chunk = sentence.chunk
        common = dict(
            source=sentence.text,
            citation=chunk.citation,
            chunk_id=chunk.id,
            doc_id=chunk.doc_id,
            label=chunk.clause_label,
            fact=normal(sentence.text),
        )
        if not false:
            return QuizQuestion(
                "true_false",
                sentence.text,
                TRUE,
                explanation=f"Đúng. Nguyên văn: «{sentence.text}»",
                **common,
            )
        doc = self.documents.get(chunk.doc_id, _Document())
        numbers = {t: v for (k, t), v in doc.by_type.items()}
        bodies = [b for b in doc.bodies if len(b.split()) > 1]
        self.rng.shuffle(bodies)
        for change in false_statements(sentence.text, self.spans(sentence), bodies, numbers, self.rng):
            if flagged(change, sentence.text, sentence.clause, self.check):
                return QuizQuestion(
                    "true_false",
                    change.text,
                    FALSE,
                    explanation=f"Sai. {describe(change)} Nguyên văn: «{sentence.text}»",
                    **common,
                )
        return None


def _own_name(sentence: Sentence) -> str:
    """The document's title when the sentence names the document itself (its number or citation name)."""
    chunk = sentence.chunk
    number = chunk.doc_short.split(" ", 1)[-1]
    said = fold(sentence.text)
    named = (bool(re.search(r"\d", number)) and fold(number) in said) or fold(chunk.doc_short) in said
    return chunk.doc_title if named else ""


def build_quiz(
    chunks: Sequence[Chunk],
    count: int = 5,
    seed: int = 0,
    corpus: Sequence[Chunk] = (),
    kinds: Mapping[Kind, float] | Iterable[Kind] | None = None,
    *,
    check: Check,
) -> list[QuizQuestion]:
    """Up to `count` items from the chosen clauses' sentences.

    Args:
        chunks: the chosen clauses' chunks.
        count: how many items to make (1 to MAX_COUNT).
        seed: the same seed (and the same clauses and corpus) gives the same quiz.
        corpus: every stored chunk: which terms are rare, the document's other bodies and options.
        kinds: the kinds and their shares ({"blank": 2, "choice": 1}, or kinds in equal shares); all three
            in equal shares by default.
        check: the claim check (`SupportScorer.meaning`): a false statement is kept only when it flags it,
            a true one only when it passes.
    """
    if not 1 <= count <= MAX_COUNT:
        raise InputError(f"Số câu hỏi phải từ 1 đến {MAX_COUNT}.")
    shares: dict[Kind, float] = (
        dict(kinds) if isinstance(kinds, Mapping) else {k: 1.0 for k in (kinds or KINDS)}  # type: ignore[misc]
    )
    builder = QuizBuilder(chunks, corpus, check, seed)
    if not builder.groups:
        raise InputError("Các điều khoản đã chọn không có câu nào đủ dài để ra câu hỏi.")
    rng = builder.rng
    orders = [rng.sample(group, len(group)) for group in builder.groups]
    used: set[int] = set()  # one item a sentence: another would show the first one's answer
    facts: set[str] = set()
    questions: list[QuizQuestion] = []
    want_false = rng.random() < 0.5
    cursor = 0
    for kind in schedule(count, shares):
        for attempt in [kind, *[k for k in shares if k != kind]]:
            made = _next_item(builder, attempt, orders, cursor, used, facts, want_false)
            if made:
                item, at, sentence = made
                questions.append(item)
                used.add(id(sentence))
                facts.add(item.fact)
                cursor = at + 1
                if item.kind == "true_false":
                    want_false = item.answer != FALSE
                break
    return questions


def _next_item(
    builder: QuizBuilder,
    kind: Kind,
    orders: list[list[Sentence]],
    cursor: int,
    used: set[int],
    facts: set[str],
    want_false: bool,
) -> tuple[QuizQuestion, int, Sentence] | None:
    """The next item of a kind, from the clause at the cursor on (round robin over the clauses), from a
    sentence not asked about yet; a true/false item of the wanted answer first, of the other when no sentence
    gives it."""
    wants = [want_false, not want_false] if kind == "true_false" else [False]
    for want in wants:
        for step in range(len(orders)):
            at = (cursor + step) % len(orders)
            for sentence in orders[at]:
                if id(sentence) in used:
                    continue
                if kind == "blank":
                    item = builder.blank(sentence, facts)
                elif kind == "choice":
                    item = builder.choice(sentence, facts)
                else:
                    item = builder.true_false(sentence, want)
                if item and item.fact not in facts:
                    return item, at, sentence
    return None


def claim_check(embeddings: E5Embeddings, corpus: Sequence[Chunk]) -> Check:
    """The claim check over the corpus (`SupportScorer.meaning`), as `build_quiz` takes it."""
    return SupportScorer(embeddings, [c.text for c in corpus]).meaning


def store_quiz(
    store: Store,
    chosen: Sequence[Chunk],
    count: int,
    seed: int = 0,
    kinds: Mapping[Kind, float] | Iterable[Kind] | None = None,
) -> list[QuizQuestion]:
    """A quiz from chosen chunks of the store, its whole corpus and claim check behind it (the CLI's and the
    trainer page's)."""
    corpus = store.chunks()
    return build_quiz(chosen, count, seed, corpus, kinds, check=claim_check(store.embeddings, corpus))
