"""Generative answers through any OpenAI-compatible endpoint, with every citation checked by code."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI

from assistant.answering.citation_check import MARKER, check_citations
from assistant.answering.extractive import REFUSAL, ExtractiveAnswerer
from assistant.answering.model_verdict import with_verdict
from assistant.answering.second_reading import SecondReading
from assistant.answering.support import IndexScorer
from assistant.core.errors import LLMError
from assistant.core.models import Answer, ScoredChunk, Turn
from assistant.core.prompts import load_prompt
from assistant.core.settings import Settings
from assistant.language.instructions import without_instructions
from assistant.language.markup import tagged
from assistant.language.shapes import VERDICT_SHAPES, shape_of
from assistant.language.text import has_diacritics, syllables
from assistant.language.tokens import count_tokens
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.retriever import Query

log = logging.getLogger(__name__)
LLM = "llm"
ENGLISH_REFUSAL = "The available documents do not cover this."
LANGUAGE = {False: "tiếng Việt", True: "tiếng Anh (English)"}
_NOTICE_FAILED = "Không dùng được mô hình ngôn ngữ ({why}); đây là câu trả lời trích dẫn ngoại tuyến."
_NOTICE_UNSUPPORTED = (
    "Câu trả lời của mô hình ngôn ngữ không có căn cứ trong tài liệu nên không được dùng; "
    "đây là câu trả lời trích dẫn ngoại tuyến."
)
_NOTICE_FLAGGED = "Có câu trong câu trả lời chưa kiểm chứng được với tài liệu (được đánh dấu ⚠)."
_NOTICE_LANGUAGE = "Mô hình ngôn ngữ trả lời sai ngôn ngữ; đây là câu trả lời trích dẫn ngoại tuyến."


def chat_model(settings: Settings) -> ChatOpenAI:
    """The configured endpoint as a LangChain chat model (timeouts, bounded retries with backoff)."""
    if not settings.llm_base_url:
        raise LLMError("Chưa cấu hình mô hình ngôn ngữ (KH32_LLM_BASE_URL hoặc OPENAI_BASE_URL).")
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    return ChatOpenAI(
        base_url=settings.llm_base_url,
        api_key=key,
        model=settings.llm_model,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
        temperature=0,
        stream_usage=True,
    )


class GenerativeAnswerer:
    """Asks the LLM with numbered passages, then validates each sentence's [n] against those passages.

    Anything that goes wrong (endpoint down, timeout, 429/5xx past the retries, empty or malformed
    output, wrong language, an answer with no support in the passages) yields the extractive answer
    with a notice saying why: the user always gets an answer, never a traceback.
    """

    def __init__(self, model: BaseChatModel, settings: Settings, fallback: ExtractiveAnswerer) -> None:
        self.model = model
        self.settings = settings
        self.fallback = fallback
        self.secret = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
        self.scorer = IndexScorer(fallback.embeddings)  # the offline support scorer over the stored chunks
        self.reread = SecondReading(model) if settings.llm_second_reading else None

    # -- the answerer seam ---------------------------------------------------------------------------

    def __call__(self, query: Query, retrieved: list[ScoredChunk], index: LexicalIndex) -> Answer:
        *_, answer = self.stream(query, retrieved, index)
        assert isinstance(answer, Answer)
        return answer

    def stream(
        self, query: Query, retrieved: list[ScoredChunk], index: LexicalIndex
    ) -> Iterator[str | Answer]:
        """Text pieces as the model writes them, then the checked Answer (or the fallback)."""
        passages = self.pack(query, retrieved)
        if retrieved and not passages:
            yield self._fallback(
                query, retrieved, index, _NOTICE_FAILED.format(why="cửa sổ ngữ cảnh quá nhỏ")
            )
            return
        messages = self.messages(query, passages)
        prompt_tokens = sum(count_tokens(str(m.content)) for m in messages)
        pieces: list[str] = []
        usage: dict[str, int] = {}
        try:
            for chunk in self.model.stream(messages):
                piece = chunk.content if isinstance(chunk.content, str) else ""
                if piece:
                    pieces.append(piece)
                    yield piece
                if getattr(chunk, "usage_metadata", None):
                    usage = {
                        "prompt": chunk.usage_metadata["input_tokens"],
                        "completion": chunk.usage_metadata["output_tokens"],
                    }
        except Exception as exc:  # the client raises many kinds; each becomes a notice
            # The operator's log gets the details (a server may echo the key in its error: redacted).
            log.warning("LLM call failed, extractive answer given instead: %s", self._redact(repr(exc)))
            yield self._fallback(query, retrieved, index, _NOTICE_FAILED.format(why=self._why(exc)))
            return
        text = "".join(pieces).strip()
        usage = usage or {"prompt": prompt_tokens, "completion": count_tokens(text)}
        usage["passages"] = len(passages)
        yield self.finish(query, passages, retrieved, index, text, usage)

    def condense(self, question: str, history: Sequence[Turn]) -> str | None:
        """A follow-up rewritten as a standalone question, or None when the LLM cannot help."""
        lines = [f"{'Người hỏi' if t.role == 'user' else 'Trợ lý'}: {t.content}" for t in history[-6:]]
        prompt = load_prompt("condense").format(history="\n".join(lines), question=question)
        try:
            reply = self.model.invoke([HumanMessage(prompt)])
        except Exception:
            return None
        text = reply.content.strip() if isinstance(reply.content, str) else ""
        return text if 0 < len(text) <= self.settings.max_question_chars else None

    # -- prompt ----------------------------------------------------------------------------------------

    def pack(self, query: Query, retrieved: list[ScoredChunk]) -> list[ScoredChunk]:
        """The best passages that fit the model's window, leaving room for the prompt and the answer."""
        budget = self.settings.llm_context_tokens - self.settings.llm_answer_tokens
        budget -= count_tokens(str(self.messages(query, [])[0].content)) + count_tokens(query.text) + 100
        packed, used = [], 0
        for scored in retrieved:
            cost = count_tokens(scored.chunk.text) + 20
            if used + cost > budget:
                break
            packed.append(scored)
            used += cost
        return packed

    def messages(self, query: Query, passages: list[ScoredChunk]) -> list[BaseMessage]:
        language = LANGUAGE[query.english]
        refusal = ENGLISH_REFUSAL if query.english else REFUSAL
        context = "\n\n".join(
            f'<doan so="{n}">\n({tagged(s.chunk.citation)})\n{tagged(without_instructions(s.chunk.text))}'
            "\n</doan>"
            for n, s in enumerate(passages, 1)
        )
        return [
            SystemMessage(load_prompt("answer_system").format(language=language, refusal=refusal)),
            HumanMessage(
                load_prompt("answer_user").format(
                    context=context, question=tagged(query.text), language=language
                )
            ),
        ]

    # -- checking what came back -------------------------------------------------------------------

    def finish(
        self,
        query: Query,
        passages: list[ScoredChunk],
        retrieved: list[ScoredChunk],
        index: LexicalIndex,
        text: str,
        usage: dict[str, int],
    ) -> Answer:
        if not text:
            return self._fallback(query, retrieved, index, _NOTICE_FAILED.format(why="câu trả lời rỗng"))
        if MARKER.sub("", text).strip().rstrip(".") in (REFUSAL.rstrip("."), ENGLISH_REFUSAL.rstrip(".")):
            return Answer(query.text, REFUSAL, True, [], mode=LLM, usage=usage)
        if _wrong_language(text, query.english):
            return self._fallback(query, retrieved, index, _NOTICE_LANGUAGE)
        scorer = self.scorer(index)
        checked = check_citations(text, passages, scorer, lexical=not query.english, reread=self.reread)
        if checked.supported == 0:
            answer = self._fallback(query, retrieved, index, _NOTICE_UNSUPPORTED)
            answer.flags = checked.flags  # why the model's sentences were not used
            return answer
        notice = _NOTICE_FLAGGED if checked.flags else None
        generated = Answer(
            query.text,
            checked.text,
            False,
            checked.citations,
            mode=LLM,
            notice=notice,
            flags=checked.flags,
            readings=checked.readings,
            usage=usage,
        )
        if shape_of(query.text) not in VERDICT_SHAPES or query.english:
            return generated  # the extractive judge gives no verdict to any other question
        # A yes/no, true/false or multiple-choice question: the verdict is the extractive judge's.
        return with_verdict(generated, self.fallback(query, retrieved, index))

    def _fallback(
        self, query: Query, retrieved: list[ScoredChunk], index: LexicalIndex, notice: str
    ) -> Answer:
        answer = self.fallback(query, retrieved, index)
        answer.notice = notice
        return answer

    def _why(self, exc: Exception) -> str:
        """A short reason for a failed call, with the API key never in it."""
        status = getattr(exc, "status_code", None)
        if "Timeout" in type(exc).__name__:
            why = "hết thời gian chờ"
        elif status == 429:
            why = "máy chủ báo quá tải (429)"
        elif status is not None:
            why = f"máy chủ trả lỗi {status}"
        elif "Connection" in type(exc).__name__:
            why = "không kết nối được máy chủ"
        else:
            why = type(exc).__name__
        return self._redact(why)

    def _redact(self, text: str) -> str:
        """Text with the API key replaced by ***."""
        return text.replace(self.secret, "***") if self.secret else text


def _wrong_language(text: str, english: bool) -> bool:
    """True when an answer is not in the question's language (Vietnamese unless asked in English)."""
    words = syllables(MARKER.sub("", text))
    if len(words) < 4:
        return False
    accented = sum(has_diacritics(w) for w in words) / len(words)
    return accented > 0.2 if english else accented < 0.1
