"""The answering chain (LangChain runnables): resolve follow-ups → retrieve → answer."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
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
EXTRACTIVE = "extractive"


class Assistant:
    """Opens the store once and answers questions about what it holds."""

    def __init__(
        self, settings: Settings | None = None, store: Store | None = None, answerer: Answerer | None = None
    ) -> None:
        self.settings = settings or get_settings()
        self.store = store or Store(self.settings)
        self.retriever = HybridRetriever(store=self.store, k=self.settings.top_k)
        # Answer modes by name; "extractive" works offline and is always there.
        self.answerers: dict[str, Answerer] = {
            EXTRACTIVE: answerer
            or ExtractiveAnswerer(self.store.embeddings, max_sentences=self.settings.answer_sentences)
        }
        self.chain: Runnable[dict[str, Any], Answer] = (
            RunnableLambda(self._prepare, name="resolve_follow_up")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._answer, name="answer")
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
        question = self.check_question(question)
        mode = mode or self.modes[0]
        if mode not in self.answerers:
            raise InputError(f"Chế độ trả lời '{mode}' chưa được cấu hình. Có: {', '.join(self.modes)}.")
        turns = [t if isinstance(t, Turn) else Turn(t["role"], nfc(t["content"])) for t in history]
        return self.chain.invoke({"question": question, "history": turns, "k": k, "mode": mode})

    def stream(
        self,
        question: str,
        history: Sequence[Turn | dict[str, str]] = (),
        k: int | None = None,
        mode: str | None = None,
    ) -> Iterator[str | Answer]:
        """The answer's text in pieces as it is produced, then the final Answer with its citations."""
        answer = self.ask(question, history, k, mode)
        yield from re.findall(r".+?(?:\n\n|\] |$)", answer.text, flags=re.DOTALL)
        yield answer

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
        answerer = self.answerers[state["mode"]]
        answer = answerer(state["query"], state["retrieved"], self.retriever.index())
        answer.question = state["question"]
        answer.standalone_question = state["standalone"]
        answer.timings_ms = {**state["timings"], "answer": (time.perf_counter() - started) * 1000}
        answer.timings_ms["total"] = sum(answer.timings_ms.values())
        return answer


def _vi_number(n: int) -> str:
    """A whole number as Vietnamese writes it: 20.000."""
    return f"{n:,}".replace(",", ".")
