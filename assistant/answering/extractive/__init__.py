"""The offline answerer, split by job: sentences, selection, verdicts, compose, and the answerer itself."""

from assistant.answering.extractive.answerer import ExtractiveAnswerer
from assistant.answering.extractive.compose import REFUSAL, refusal

__all__ = ["REFUSAL", "ExtractiveAnswerer", "refusal"]
