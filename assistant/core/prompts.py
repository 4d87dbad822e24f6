"""Prompts live as files in prompts/; a template fails loudly when a variable is missing."""

from __future__ import annotations

from functools import cache

from langchain_core.prompts import PromptTemplate

from assistant.core.settings import PROJECT_ROOT

PROMPTS_DIR = PROJECT_ROOT / "prompts"


@cache
def load_prompt(name: str) -> PromptTemplate:
    """The template in prompts/<name>.md; `.format(**values)` raises KeyError for a missing variable."""
    return PromptTemplate.from_template((PROMPTS_DIR / f"{name}.md").read_text(encoding="utf-8").strip())
