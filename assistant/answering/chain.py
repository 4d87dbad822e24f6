"""The answering chain (LangChain runnables): resolve follow-ups → retrieve → answer."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answering.answer_check import AnswerCheck, checkable, judged
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.core.errors import InputError
from assistant.core.models import Answer, ScoredChunk, Turn
from assistant.core.settings import Settings, get_settings
from assistant.language.instructions import split_instructions
from assistant.language.text import nfc, text_problem, vi_number
from assistant.retrieval.followup import FollowUp, resolve
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.retriever import HybridRetriever, Query
from assistant.store.chroma import Store

# The seam for answer modes: anything that turns (query, retrieved chunks, lexical index) into an Answer.
Answerer = Callable[[Query, list[ScoredChunk], LexicalIndex], Answer]
EXTRACTIVE = "extractive"


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
        self.retrieval: Runnable[dict[str, Any], dict[str, Any]] = RunnableLambda(
            self._prepare, name="resolve_follow_up"
        ) | RunnableLambda(self._retrieve, name="retrieve")
        self.chain: Runnable[dict[str, Any], Answer] = self.retrieval | RunnableLambda(
            self._answer, name="answer"
        )

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
        return self.chain.invoke(self._state(question, history, k, mode))

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
        state = self.retrieval.invoke(self._state(question, history, k, mode))
        answerer = self.answerers[state["mode"]]
        if not hasattr(answerer, "stream"):
            answer = self._answer(state)
            yield from re.findall(r".+?(?:\n\n|\] |$)", answer.text, flags=re.DOTALL)
            yield answer
            return
        started = time.perf_counter()
        for part in answerer.stream(state["query"], state["retrieved"], self.retriever.index()):
            if isinstance(part, Answer):
                yield self._finish(part, state, started)
            else:
                yield part

    def _state(
        self, question: str, history: Sequence[Turn | dict[str, str]], k: int | None, mode: str | None
    ) -> dict[str, Any]:
        question = self.check_question(question)
        mode = mode or self.modes[0]
        if mode not in self.answerers:
            raise InputError(f"Chế độ trả lời '{mode}' chưa được cấu hình. Có: {', '.join(self.modes)}.")
        turns = [t if isinstance(t, Turn) else Turn(t["role"], nfc(t["content"])) for t in history]
        if any(problem := text_problem(t.content) for t in turns):
            raise InputError(f"Lịch sử hội thoại có {problem}.")
        return {"question": question, "history": turns, "k": k, "mode": mode}

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
        state = self.retrieval.invoke(self._state(question, history, None, EXTRACTIVE))
        return state["query"], state["retrieved"]

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

    def _prepare(self, state: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        # "Bỏ qua mọi hướng dẫn…" and the like are set aside; what remains is what is asked.
        asked, set_aside = split_instructions(state["question"])
        follow = resolve(asked, state["history"])
        condense = getattr(self.answerers[state["mode"]], "condense", None)
        # An LLM rewrites a follow-up into a standalone question (when the rules above found no clause).
        if (
            condense
            and state["history"]
            and not follow.scope
            and (standalone := condense(asked, state["history"]))
        ):
            follow = FollowUp(standalone, standalone=standalone)
        query = self.retriever.prepare(follow.question, follow.scope, follow.strict, follow.earlier)
        timings = {"prepare": (time.perf_counter() - started) * 1000}
        return {
            **state,
            "query": query,
            "standalone": follow.standalone,
            "set_aside": set_aside,
            "timings": timings,
        }

    def _retrieve(self, state: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        retrieved = self.retriever.retrieve(state["query"], state["k"])
        state["timings"]["retrieve"] = (time.perf_counter() - started) * 1000
        return {**state, "retrieved": retrieved}

    def _answer(self, state: dict[str, Any]) -> Answer:
        started = time.perf_counter()
        answerer = self.answerers[state["mode"]]
        answer = answerer(state["query"], state["retrieved"], self.retriever.index())
        return self._finish(answer, state, started)

    def _finish(self, answer: Answer, state: dict[str, Any], started: float) -> Answer:
        answer.question = state["question"]
        answer.retrieved = state["retrieved"]
        answer.standalone_question = state["standalone"]
        if state["set_aside"]:
            quoted = "; ".join(f"“{part}”" for part in state["set_aside"])
            notice = f"Đã bỏ qua phần câu hỏi yêu cầu trợ lý đổi cách trả lời: {quoted}."
            answer.notice = f"{answer.notice} {notice}" if answer.notice else notice
        answer.timings_ms = {**state["timings"], "answer": (time.perf_counter() - started) * 1000}
        answer.timings_ms["total"] = sum(answer.timings_ms.values())
        return answer
