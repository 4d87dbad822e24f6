"""Trợ lý Kế hoạch 32: cited answers about Kế hoạch 32-KH/BCSĐ and related documents."""

from assistant.answer_check import AnswerCheck
from assistant.chain import Assistant
from assistant.errors import AssistantError, DocumentError, InputError, LLMError, StoreError
from assistant.models import Answer, Chunk, Citation, ScoredChunk, Turn
from assistant.settings import Settings, get_settings
from assistant.store import DocumentInfo, Store

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
