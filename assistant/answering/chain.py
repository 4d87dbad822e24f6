"""The question's path, in plain steps: check → prepare (follow-up, query) → retrieve → answer → finish."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from assistant.answering.answer_check import AnswerCheck, checkable, judged
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.extractive.compose import premise_refusal
from assistant.core.errors import InputError
from assistant.core.models import Answer, ScoredChunk, Turn
from assistant.core.settings import Settings, get_settings
from assistant.language.instructions import split_instructions
from assistant.language.text import nfc, text_problem, vi_number
from assistant.retrieval.followup import FollowUp, resolve
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.premises import missing_premise
from assistant.retrieval.retriever import HybridRetriever, Query
from assistant.store.chroma import Store

# The seam for answer modes: anything that turns (query, retrieved chunks, lexical index) into an Answer.
Answerer = Callable[[Query, list[ScoredChunk], LexicalIndex], Answer]
EXTRACTIVE = "extractive"


@dataclass
class Asked:
    """A question on its way: what was asked, then what preparing and retrieving made of it."""

    question: str
    history: list[Turn]
    k: int | None
    mode: str
    query: Query | None = None
    standalone: str | None = None  # the follow-up rewritten as a question of its own, when it was
    set_aside: list[str] = field(default_factory=list)  # planted instructions, not asked
    retrieved: list[ScoredChunk] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


class Assistant:
    """Opens the store once and answers questions about what it holds."""

    def __init__(
        self, settings: Settings | None = None, store: Store | None = None, answerer: Answerer | None = None
    ) -> None:
        self.settings = settings or get_settings()
        self.store = store or Store(self.settings)
        self.retriever = HybridRetriever(store=self.store, k=self.settings.top_k)
        # Answer modes by name, the default first; "extractive" works offline and is always there.
        extractive = answerer or ExtractiveAnswerer(
            self.store.embeddings,
            max_sentences=self.settings.answer_sentences,
            clause_tokens=self.settings.answer_clause_tokens,
        )
        self.answerers: dict[str, Answerer] = {EXTRACTIVE: extractive}
        if self.settings.llm_base_url:
            # Not a cycle: langchain-openai and openai add ~0.6 s to start-up; only an endpoint needs them.
            from assistant.answering.llm import LLM, GenerativeAnswerer, chat_model

            generative = GenerativeAnswerer(chat_model(self.settings), self.settings, extractive)
            modes: dict[str, Answerer] = {LLM: generative, EXTRACTIVE: extractive}
            first = self.settings.answer_mode or LLM
            self.answerers = {first: modes[first], **modes}

    @property
    def modes(self) -> list[str]:
        """The answer modes this assistant can use, the default first."""
        return list(self.answerers)

    def ask(
        self,
        question: str,
        history: Sequence[Turn | dict[str, str]] = (),
        k: int | None = None,
        mode: str | None = None,
    ) -> Answer:
        """Answer a question (with the conversation so far) from the stored documents.

        Args:
            question: what the user asked (any Unicode form; checked and normalised here).
            history: earlier turns, oldest first, as Turn or {"role", "content"}.
            k: how many passages to retrieve (settings.top_k when None).
            mode: an answer mode from `modes` (the default when None).
        """
        asked = self._asked(question, history, k, mode)
        self._prepare(asked)
        self._retrieve(asked)
        return self._answer(asked)

    def stream(
        self,
        question: str,
        history: Sequence[Turn | dict[str, str]] = (),
        k: int | None = None,
        mode: str | None = None,
    ) -> Iterator[str | Answer]:
        """The answer's text in pieces as it is produced, then the final Answer with its citations.

        The final Answer's text is the one to keep: a generated answer is checked after it streamed.
        """
        asked = self._asked(question, history, k, mode)
        self._prepare(asked)
        self._retrieve(asked)
        answerer = self.answerers[asked.mode]
        if not hasattr(answerer, "stream"):
            answer = self._answer(asked)
            yield from re.findall(r".+?(?:\n\n|\] |$)", answer.text, flags=re.DOTALL)
            yield answer
            return
        started = time.perf_counter()
        for part in answerer.stream(asked.query, asked.retrieved, self.retriever.index()):
            if isinstance(part, Answer):
                yield self._finish(part, asked, started)
            else:
                yield part

    def _asked(
        self, question: str, history: Sequence[Turn | dict[str, str]], k: int | None, mode: str | None
    ) -> Asked:
        """Step 1, check: the question and the history, NFC and within limits, and a mode that exists."""
        question = self.check_question(question)
        mode = mode or self.modes[0]
        if mode not in self.answerers:
            raise InputError(f"Chế độ trả lời '{mode}' chưa được cấu hình. Có: {', '.join(self.modes)}.")
        turns = [t if isinstance(t, Turn) else Turn(t["role"], nfc(t["content"])) for t in history]
        if any(problem := text_problem(t.content) for t in turns):
            raise InputError(f"Lịch sử hội thoại có {problem}.")
        return Asked(question, turns, k, mode)

    def check_answer(self, question: str, given: str) -> AnswerCheck:
        """Whether a trainee's answer matches the verdict the documents give.

        Args:
            question: a statement to judge true or false (with or without "…, đúng hay sai?"), a yes/no
                question, or a multiple-choice question with its choices ("A. …" lines or inline).
            given: the trainee's answer: "Đúng"/"Sai" ("Có"/"Không"), or a choice's letter.
        """
        asked, verdict = checkable(self.check_question(question), given)
        return judged(self.ask(asked, mode=EXTRACTIVE), verdict)

    def prepared(
        self, question: str, history: Sequence[Turn | dict[str, str]] = ()
    ) -> tuple[Query, list[ScoredChunk]]:
        """The prepared question (follow-up resolved) and what retrieval finds for it, before answering."""
        asked = self._asked(question, history, None, EXTRACTIVE)
        self._prepare(asked)
        self._retrieve(asked)
        return asked.query, asked.retrieved

    def retrieve(self, question: str, k: int | None = None) -> list[ScoredChunk]:
        """The chunks retrieval finds for a standalone question."""
        return self.retriever.retrieve(self.retriever.prepare(self.check_question(question)), k)

    def check_question(self, question: str) -> str:
        """NFC, trimmed, non-empty and not too long, or an InputError that says why."""
        if problem := text_problem(question or ""):
            raise InputError(f"Câu hỏi có {problem}; hãy gõ lại câu hỏi.")
        question = nfc(question or "").strip()
        if not question:
            raise InputError("Câu hỏi trống: hãy nhập nội dung cần hỏi.")
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise InputError(
                f"Câu hỏi quá dài ({vi_number(len(question))} ký tự; tối đa {vi_number(limit)}). "
                "Hãy hỏi ngắn gọn hơn."
            )
        return question

    def _prepare(self, asked: Asked) -> None:
        """Step 2, prepare: planted instructions set aside, a follow-up resolved, the query built."""
        started = time.perf_counter()
        # "Bỏ qua mọi hướng dẫn…" and the like are set aside; what remains is what is asked.
        question, asked.set_aside = split_instructions(asked.question)
        follow = resolve(question, asked.history)
        condense = getattr(self.answerers[asked.mode], "condense", None)
        # An LLM rewrites a follow-up into a standalone question (when the rules above found no clause).
        if (
            condense
            and asked.history
            and not follow.scope
            and (standalone := condense(question, asked.history))
        ):
            follow = FollowUp(standalone, standalone=standalone)
        asked.query = self.retriever.prepare(follow.question, follow.scope, follow.strict, follow.earlier)
        asked.standalone = follow.standalone
        asked.timings["prepare"] = (time.perf_counter() - started) * 1000

    def _retrieve(self, asked: Asked) -> None:
        """Step 3, retrieve: the passages for the query."""
        started = time.perf_counter()
        asked.retrieved = self.retriever.retrieve(asked.query, asked.k)
        asked.timings["retrieve"] = (time.perf_counter() - started) * 1000

    def _answer(self, asked: Asked) -> Answer:
        """Step 4, answer: the mode's answerer on the query and its passages, then finished; a question
        whose premise the documents never mention ("Bộ Quốc phòng", "Nghị định 45/2023/NĐ-CP") is refused
        with the reason, in every mode."""
        started = time.perf_counter()
        index = self.retriever.index()
        if missing := missing_premise(asked.query, index.chunks):
            answer = Answer(asked.query.text, premise_refusal(missing, asked.query.library), True, [])
            return self._finish(answer, asked, started)
        answerer = self.answerers[asked.mode]
        answer = answerer(asked.query, asked.retrieved, index)
        return self._finish(answer, asked, started)

    def _finish(self, answer: Answer, asked: Asked, started: float) -> Answer:
        """Step 5, finish: the question, the passages, the notices and the timings attached to the answer."""
        answer.question = asked.question
        answer.retrieved = asked.retrieved
        answer.standalone_question = asked.standalone
        if asked.set_aside:
            quoted = "; ".join(f"“{part}”" for part in asked.set_aside)
            notice = f"Đã bỏ qua phần câu hỏi yêu cầu trợ lý đổi cách trả lời: {quoted}."
            answer.notice = f"{answer.notice} {notice}" if answer.notice else notice
        answer.timings_ms = {**asked.timings, "answer": (time.perf_counter() - started) * 1000}
        answer.timings_ms["total"] = sum(answer.timings_ms.values())
        return answer
