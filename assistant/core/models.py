"""Typed records that flow from ingest to the store, to retrieval and to answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.language.instructions import set_aside_sentences

# The clause of a document's header block (issuing body, national motto, number, place and date, kind
# and summary): written by ingest's structure parser, read by answers about a document's particulars.
HEADER_KEY, HEADER_LABEL = "thong-tin-van-ban", "Thông tin văn bản"


@dataclass(frozen=True)
class Chunk:
    """A token-bounded piece of one clause, with where it came from."""

    id: str
    doc_id: str
    doc_title: str
    doc_short: str
    clause_key: str
    clause_label: str
    clause_path: str
    order: int
    text: str
    start: int
    end: int
    tokens: int
    doc_hash: str = ""
    context: str = ""
    chunker: str = ""  # the version of the chunking that made it (ingest.version); "" before it was kept

    @property
    def citation(self) -> str:
        """Human citation label, e.g. 'KH 32-KH/BCSĐ, Nhiệm vụ thứ tư'."""
        return f"{self.doc_short}, {self.clause_label}"

    @property
    def facts(self) -> tuple[str, ...]:
        """What the document says of itself around this chunk, which a claim may rest on as much as on
        the chunk's text: its title, its citation name, the clause's label and its headings ("Theo Hiến
        pháp 2013, …" names the cited document, not a number of the passage)."""
        return tuple(
            dict.fromkeys(f for f in (self.doc_title, self.doc_short, self.clause_label, self.context) if f)
        )

    @property
    def passage(self) -> str:
        """The text that is embedded and indexed: clause context, then the chunk itself."""
        return f"{self.context}\n{self.text}" if self.context else self.text

    def metadata(self) -> dict[str, Any]:
        """Scalar metadata for the vector store (everything but id and text)."""
        data = asdict(self)
        del data["id"], data["text"]
        return data

    @classmethod
    def from_store(cls, chunk_id: str, text: str, metadata: dict[str, Any]) -> Chunk:
        """Rebuild a chunk from what the store returns."""
        fields = {name: metadata[name] for name in cls.__dataclass_fields__ if name in metadata}
        return cls(id=chunk_id, text=text, **fields)


@dataclass(frozen=True)
class ScoredChunk:
    """A retrieved chunk with its fused score and how each retriever ranked it."""

    chunk: Chunk
    score: float
    ranks: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Citation:
    """One numbered source of an answer; `text` is the cited source text, verbatim."""

    n: int
    doc: str
    title: str
    clause: str
    label: str
    text: str
    chunk_id: str
    start: int
    end: int
    quotes: tuple[str, ...] = ()

    @property
    def set_aside(self) -> tuple[str, ...]:
        """Sentences of the cited text that instruct the assistant: shown, never used as evidence."""
        return set_aside_sentences(self.text)

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "doc": self.doc,
            "title": self.title,
            "clause": self.clause,
            "label": self.label,
            "text": self.text,
            "chunk_id": self.chunk_id,
            "span": [self.start, self.end],
            "quotes": list(self.quotes),
            "set_aside": list(self.set_aside),
        }


@dataclass(frozen=True)
class Turn:
    """One message of a conversation."""

    role: str
    content: str


@dataclass
class Answer:
    """What the assistant says: text with [n] markers, the citations they point at, and timings."""

    question: str
    text: str
    refused: bool
    citations: list[Citation]
    timings_ms: dict[str, float] = field(default_factory=dict)
    mode: str = "extractive"
    notice: str | None = None
    verdict: str | None = (
        None  # "Đúng"/"Sai", "Có"/"Không" or a choice's letter, when a cited sentence decides it
    )
    standalone_question: str | None = None
    flags: list[dict[str, str]] = field(default_factory=list)  # sentences a check found wanting, and why
    # sentences the claim check flagged only for their wording, confirmed by the model's second reading
    readings: list[dict[str, str]] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)  # LLM tokens: prompt, completion, passages
    retrieved: list[ScoredChunk] = field(default_factory=list, repr=False)  # what the answer was drawn from

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.text,
            "refused": self.refused,
            "citations": [c.to_json() for c in self.citations],
            "mode": self.mode,
            "notice": self.notice,
            "verdict": self.verdict,
            "flags": self.flags,
            "readings": self.readings,
            "usage": self.usage,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }
