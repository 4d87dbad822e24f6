"""LLM judge: per-sentence support verdicts from any LangChain chat model (prompt in prompts/)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel

from assistant.core.prompts import json_reply, load_prompt
from evals.claims import Claim

PROMPT = "judge_faithfulness"


class LLMJudge:
    """Asks a chat model whether each claim is supported; malformed replies give "unknown" verdicts."""

    def __init__(self, model: BaseChatModel) -> None:
        self.model = model
        self.template = load_prompt(PROMPT)

    def prompt(
        self, question: str, claims: Sequence[Claim], sources: Mapping[int, str], context: Sequence[str]
    ) -> str:
        cited = set(sources.values())
        extra = [c for c in context if c not in cited]
        return self.template.format(
            question=question,
            sources="\n".join(f'<doan so="{n}">{text}</doan>' for n, text in sorted(sources.items()))
            or "(không có)",
            context="\n".join(f"<ngu_canh>{text}</ngu_canh>" for text in extra) or "(không có)",
            sentences="\n".join(
                f"{i}. {c.text} {''.join(f'[{n}]' for n in c.markers)}".rstrip()
                for i, c in enumerate(claims, start=1)
            ),
        )

    def judge(
        self, question: str, claims: Sequence[Claim], sources: Mapping[int, str], context: Sequence[str]
    ) -> dict[str, Any]:
        """Verdicts and per-answer scores; an unusable reply counts every claim as unknown."""
        try:
            reply = self.model.invoke(self.prompt(question, claims, sources, context))
            verdicts = parse_verdicts(str(reply.content), len(claims))
        except Exception as exc:
            return _unknown(claims, f"lỗi khi gọi mô hình chấm: {type(exc).__name__}")
        if verdicts is None:
            return _unknown(claims, "mô hình chấm trả lời sai định dạng")
        return _scores(claims, sources, verdicts)


def parse_verdicts(text: str, count: int) -> list[dict[str, Any]] | None:
    """The judge's per-sentence verdicts, or None unless the reply is the JSON the prompt asks for."""
    data = json_reply(text)
    sentences = data.get("sentences") if data else None
    if not isinstance(sentences, list) or len(sentences) != count:
        return None
    verdicts = []
    for entry in sentences:
        if not isinstance(entry, dict) or not isinstance(entry.get("supported_by_cited"), bool):
            return None
        alone = entry.get("supporting_alone", [])
        verdicts.append(
            {
                "cited": entry["supported_by_cited"],
                "context": bool(entry.get("supported_by_context", entry["supported_by_cited"])),
                "alone": {n for n in alone if isinstance(n, int)} if isinstance(alone, list) else set(),
                "reason": str(entry.get("reason", "")),
            }
        )
    return verdicts


def _scores(
    claims: Sequence[Claim], sources: Mapping[int, str], verdicts: list[dict[str, Any]]
) -> dict[str, Any]:
    relevant = total = 0
    details = []
    for claim, v in zip(claims, verdicts, strict=True):
        valid = [n for n in claim.markers if n in sources]
        supported = v["cited"] and bool(valid)
        # With no single passage enough, every valid citation of a supported claim is needed.
        needed = not (v["alone"] & set(valid))
        relevant += sum(1 for n in valid if supported and (n in v["alone"] or needed))
        total += len(claim.markers)
        details.append(
            {"claim": claim.text, "verdict": "supported" if supported else "unsupported", "why": v["reason"]}
        )
    return {
        "faithfulness": sum(v["context"] for v in verdicts) / len(verdicts),
        "citation_recall": sum(d["verdict"] == "supported" for d in details) / len(details),
        "citation_precision": relevant / total if total else 0.0,
        "unknown": 0,
        "claims": details,
    }


def _unknown(claims: Sequence[Claim], why: str) -> dict[str, Any]:
    return {
        "faithfulness": None,
        "citation_recall": None,
        "citation_precision": None,
        "unknown": len(claims),
        "claims": [{"claim": c.text, "verdict": "unknown", "why": why} for c in claims],
    }


def chat_model_from_env(
    base_url: str | None = None, model: str | None = None, api_key: str | None = None
) -> BaseChatModel | None:
    """A ChatOpenAI for the judge from flags or KH32_JUDGE_* / OPENAI_* variables; None when unset."""
    base_url = base_url or os.environ.get("KH32_JUDGE_BASE_URL") or os.environ.get("OPENAI_BASE_URL")
    if not base_url:
        return None
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=base_url,
        model=model or os.environ.get("KH32_JUDGE_MODEL") or "gpt-4o-mini",
        api_key=api_key or os.environ.get("KH32_JUDGE_API_KEY") or os.environ.get("OPENAI_API_KEY") or "none",
        temperature=0,
        max_retries=1,
        timeout=60,
    )
