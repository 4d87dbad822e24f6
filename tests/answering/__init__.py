"""Tests of assistant/answering/: answers and their shapes, multiple choice, the LLM mode, injection."""
