"""The answering chain (LangChain runnables): resolve follow-ups → retrieve → answer."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answer import ExtractiveAnswerer
from assistant.errors import InputError
from assistant.followup import resolve
from assistant.models import Answer, ScoredChunk, Turn
from assistant.retrieval import HybridRetriever, LexicalIndex, Query
from assistant.settings import Settings, get_settings
from assistant.store import Store
from assistant.text import nfc

# The seam for answer modes: anything that turns (query, retrieved chunks, lexical index) into an Answer.
Answerer = Callable[[Query, list[ScoredChunk], LexicalIndex], Answer]


class Assistant:
    """Opens the store once and answers questions about what it holds."""

    def __init__(
        self, settings: Settings | None = None, store: Store | None = None, answerer: Answerer | None = None
    ) -> None:
        self.settings = settings or get_settings()
        self.store = store or Store(self.settings)
        self.retriever = HybridRetriever(store=self.store, k=self.settings.top_k)
        self.answerer = answerer or ExtractiveAnswerer(
            self.store.embeddings, max_sentences=self.settings.answer_sentences
        )
        self.chain: Runnable[dict[str, Any], Answer] = (
            RunnableLambda(self._prepare, name="resolve_follow_up")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._answer, name="answer")
        )

    def ask(
        self, question: str, history: Sequence[Turn | dict[str, str]] = (), k: int | None = None
    ) -> Answer:
        """Answer a question (with the conversation so far) from the stored documents."""
        question = self.check_question(question)
        turns = [t if isinstance(t, Turn) else Turn(t["role"], nfc(t["content"])) for t in history]
        return self.chain.invoke({"question": question, "history": turns, "k": k})

    def retrieve(self, question: str, k: int | None = None) -> list[ScoredChunk]:
        """The chunks retrieval finds for a standalone question."""
        return self.retriever.retrieve(self.retriever.prepare(self.check_question(question)), k)

    def check_question(self, question: str) -> str:
        """NFC, trimmed, non-empty and not too long, or an InputError that says why."""
        question = nfc(question or "").strip()
        if not question:
            raise InputError("Câu hỏi trống: hãy nhập nội dung cần hỏi.")
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise InputError(
                f"Câu hỏi quá dài ({_vi_number(len(question))} ký tự; tối đa {_vi_number(limit)}). "
                "Hãy hỏi ngắn gọn hơn."
            )
        return question

    def _prepare(self, state: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        follow = resolve(state["question"], state["history"])
        query = self.retriever.prepare(follow.question, follow.scope, follow.strict)
        timings = {"prepare": (time.perf_counter() - started) * 1000}
        return {**state, "query": query, "standalone": follow.standalone, "timings": timings}

    def _retrieve(self, state: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        retrieved = self.retriever.retrieve(state["query"], state["k"])
        state["timings"]["retrieve"] = (time.perf_counter() - started) * 1000
        return {**state, "retrieved": retrieved}

    def _answer(self, state: dict[str, Any]) -> Answer:
        started = time.perf_counter()
        answer = self.answerer(state["query"], state["retrieved"], self.retriever.index())
        answer.question = state["question"]
        answer.standalone_question = state["standalone"]
        answer.timings_ms = {**state["timings"], "answer": (time.perf_counter() - started) * 1000}
        answer.timings_ms["total"] = sum(answer.timings_ms.values())
        return answer


def _vi_number(n: int) -> str:
    """A whole number as Vietnamese writes it: 20.000."""
    return f"{n:,}".replace(",", ".")
