"""Trợ lý Kế hoạch 32: cited answers about Kế hoạch 32-KH/BCSĐ and related documents."""

from assistant.answering.answer_check import AnswerCheck
from assistant.answering.chain import Assistant
from assistant.core.errors import AssistantError, DocumentError, InputError, LLMError, StoreError
from assistant.core.models import Answer, Chunk, Citation, ScoredChunk, Turn
from assistant.core.settings import Settings, get_settings
from assistant.store.chroma import DocumentInfo, Store

__all__ = [
    "Answer",
    "AnswerCheck",
    "Assistant",
    "AssistantError",
    "Chunk",
    "Citation",
    "DocumentError",
    "DocumentInfo",
    "InputError",
    "LLMError",
    "ScoredChunk",
    "Settings",
    "Store",
    "StoreError",
    "Turn",
    "get_settings",
]
