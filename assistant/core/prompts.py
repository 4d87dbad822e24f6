"""Prompts live as files in prompts/; a template fails loudly when a variable is missing."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from langchain_core.prompts import PromptTemplate

from assistant.core.settings import PROJECT_ROOT

PROMPTS_DIR = PROJECT_ROOT / "prompts"
_JSON = re.compile(r"\{.*\}", re.DOTALL)


@cache
def load_prompt(name: str) -> PromptTemplate:
    """The template in prompts/<name>.md; `.format(**values)` raises KeyError for a missing variable."""
    return PromptTemplate.from_template((PROMPTS_DIR / f"{name}.md").read_text(encoding="utf-8").strip())


def json_reply(text: str) -> dict[str, Any] | None:
    """The JSON object a prompt asks for, read from a model's reply (prose or a code fence around it
    allowed); None when the reply holds none."""
    match = _JSON.search(text)
    if not match:
        return None
    try:
        data = json.loads(match.group())
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None
