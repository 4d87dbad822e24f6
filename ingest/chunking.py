"""Turn a loaded document into token-bounded chunks that stay inside one clause and never cut a sentence."""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from pathlib import Path

from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.core.models import Chunk
from assistant.language.names import short_name
from assistant.language.text import safe_id, sentence_spans, trimmed_span
from assistant.language.tokens import ENCODING, count_tokens, encoding
from ingest.header import Header
from ingest.loaders import LoadedDocument
from ingest.structure import Clause, paragraphs, parse_document
from ingest.version import chunker_version


def doc_id_for(path: Path) -> str:
    """A document's identity: its file name without extension (NFC); re-ingesting that name replaces it.

    Characters that would garble a listing or a message (line breaks, right-to-left overrides…) are made
    safe (text.safe_id); the original file name is kept in the store for display.
    """
    return safe_id(path.stem)  # the same name typed on macOS (NFD) or Windows (NFC) is one document


def title_for(doc: LoadedDocument, header: Header | None = None) -> str:
    """A text file's own `TITLE:` line, else the header block's title, else the title property of a Word,
    PDF or web page (often left from a template), else the first paragraph (shortened), else the file name."""
    if _own_title(doc):
        return doc.meta["TITLE"].strip()
    if header:
        return header.title
    if doc.meta.get("TITLE", "").strip():
        return doc.meta["TITLE"].strip()
    first = next(paragraphs(doc.text, doc.body_start), None)
    if first:
        line = doc.text[first[0] : first[1]].split("\n")[0].strip().lstrip("#").strip()
        if line:
            return line if len(line) <= 160 else line[:157].rsplit(" ", 1)[0] + "…"
    return doc_id_for(doc.path)


def _own_title(doc: LoadedDocument) -> bool:
    """The document names its title itself, in a text file's `TITLE:` header line."""
    return doc.path.suffix.lower() in (".txt", ".md") and bool(doc.meta.get("TITLE", "").strip())


def _sentences(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [(s + a, s + b) for s, e in spans for a, b in sentence_spans(text[s:e])]


def _runs(clause: Clause, starts: list[int]) -> list[list[tuple[int, int]]]:
    """A clause's paragraphs, grouped so that no group has another clause's paragraph inside it.

    A heading that comes back later ("Điều 1" of a decision, then of its attached regulation) adds
    paragraphs to the same clause; a chunk must not stretch over the text between them.
    """
    groups: list[list[tuple[int, int]]] = []
    for span in clause.spans:
        if groups and bisect_left(starts, span[0]) == bisect_right(starts, groups[-1][-1][0]):
            groups[-1].append(span)
        else:
            groups.append([span])
    return groups


def _pieces(text: str, start: int, end: int, max_tokens: int) -> list[tuple[int, int]]:
    """Split one over-long sentence at '; ', ', ' or ' ' (else between tokens), keeping exact offsets."""
    splitter = RecursiveCharacterTextSplitter.from_tiktoken_encoder(
        encoding_name=ENCODING,
        chunk_size=max_tokens,
        chunk_overlap=0,
        separators=["; ", ", ", " "],
        keep_separator="end",
        add_start_index=True,
    )
    pieces = []
    for doc in splitter.create_documents([text[start:end]]):
        piece_start = start + doc.metadata["start_index"]
        piece_end = piece_start + len(doc.page_content)
        if count_tokens(doc.page_content) > max_tokens:  # no separator left to split at
            pieces.extend(_cut(text, piece_start, piece_end, max_tokens))
        else:  # the splitter keeps a separator's space at the end of a piece at times
            pieces.extend(trimmed_span(text, piece_start, piece_end))
    return pieces


def _cut(text: str, start: int, end: int, max_tokens: int) -> list[tuple[int, int]]:
    """Cut a run with no space in it (a long URL, a row of symbols) at token boundaries, encoding it once."""
    enc = encoding()
    _, offsets = enc.decode_with_offsets(enc.encode(text[start:end], disallowed_special=()))
    bounds = sorted({start + offset for offset in offsets} | {start, end})  # where tokens start
    runs: list[tuple[int, int]] = []
    at = 0  # index into bounds
    while at < len(bounds) - 1:
        # max_tokens tokens further on, or less: a cut run re-encodes a little differently.
        to = min(at + max_tokens, len(bounds) - 1)
        while to > at + 1 and count_tokens(text[bounds[at] : bounds[to]]) > max_tokens:
            to -= 1
        runs.extend(trimmed_span(text, bounds[at], bounds[to]))
        at = to
    return runs


def pack(text: str, spans: list[tuple[int, int]], max_tokens: int) -> list[tuple[int, int]]:
    """Group consecutive sentence spans into the fewest runs whose text stays within max_tokens."""
    runs: list[tuple[int, int]] = []
    for start, end in spans:
        if count_tokens(text[start:end]) > max_tokens:
            runs.extend(_pieces(text, start, end, max_tokens))
        elif runs and count_tokens(text[runs[-1][0] : end]) <= max_tokens and not _is_piece(runs, spans):
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    return runs


def _is_piece(runs: list[tuple[int, int]], spans: list[tuple[int, int]]) -> bool:
    """True when the last run is a fragment of a split sentence (fragments are never merged)."""
    return not any(s == runs[-1][0] for s, _ in spans)


def chunk_document(doc: LoadedDocument, max_tokens: int) -> tuple[str, str, list[Chunk]]:
    """(title, short name, chunks) of a loaded document."""
    header, clauses = parse_document(doc.text, doc.body_start)
    title = title_for(doc, header)
    short = header.short if header and not _own_title(doc) else short_name(title)
    doc_id = doc_id_for(doc.path)
    version = chunker_version(max_tokens)
    chunks: list[Chunk] = []
    starts = sorted(start for clause in clauses for start, _ in clause.spans)
    for clause in clauses:
        spans = [
            span
            for run in _runs(clause, starts)
            for span in pack(doc.text, _sentences(doc.text, run), max_tokens)
        ]
        for start, end in spans:
            body = doc.text[start:end]
            # Another version's chunks of the same text get other ids: they stay until the new ones commit.
            key = f"{doc_id}\x00{doc.content_hash}\x00{version}\x00{start}\x00{body}"
            digest = hashlib.sha256(key.encode())
            chunks.append(
                Chunk(
                    id=digest.hexdigest()[:32],
                    doc_id=doc_id,
                    doc_title=title,
                    doc_short=short,
                    clause_key=clause.key,
                    clause_label=clause.label,
                    clause_path=clause.path,
                    order=len(chunks),
                    text=body,
                    start=start,
                    end=end,
                    tokens=count_tokens(body),
                    doc_hash=doc.content_hash,
                    context=" — ".join(p for p in (short, clause.context) if p),
                    chunker=version,
                )
            )
    return title, short, chunks
