"""The lexical side of retrieval: BM25 over syllables (accented and folded), document frequencies and the
diacritic model, built from the store's chunks and kept on disk so a new process does not rebuild it."""

from __future__ import annotations

import hashlib
import logging
import math
import pickle
import re
from collections import Counter
from importlib.metadata import version
from pathlib import Path

import bm25s
import numpy as np

from assistant.core.files import write_private
from assistant.core.models import Chunk
from assistant.language.datafiles import data_bytes
from assistant.language.diacritics import DiacriticRestorer
from assistant.language.text import fold, folded_syllables, syllables, with_bigrams

log = logging.getLogger(__name__)

# Bump when what LexicalIndex builds changes: saved indexes of another format are rebuilt.
FORMAT = 4

# A line that says what a term is: "Công chức là …", "4. Chất hướng thần là …", "Thông tin được hiểu là …"
# (folded; the term is one to six words, after an optional list marker).
_DEFINES = re.compile(
    r"^(?:\d{1,3}\.|[a-z]\))?\s*[“\"']?(\w+(?: \w+){0,5}?)[”\"']? (?:la|duoc hieu la) ", re.MULTILINE
)


class LexicalIndex:
    """BM25 over lower-case syllables, once with diacritics and once folded, plus document frequencies."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks
        self.position = {c.id: i for i, c in enumerate(chunks)}
        passages = [c.passage for c in chunks]
        accented = [syllables(p) for p in passages]
        folded = [folded_syllables(p) for p in passages]
        self.bm25 = _bm25(accented)
        self.bm25_folded = _bm25(folded)
        self.df: Counter[str] = Counter()
        for words in folded:
            self.df.update(set(with_bigrams(words)))
        self.restorer = DiacriticRestorer(passages)
        # The chunks that define a term, by the folded term.
        self.definitions: dict[str, list[int]] = {}
        for i, chunk in enumerate(chunks):
            for term in dict.fromkeys(_DEFINES.findall(fold(chunk.text))):
                self.definitions.setdefault(term, []).append(i)

    def idf(self, term: str) -> float:
        """Inverse document frequency of a folded syllable or bigram; unknown terms weigh the most."""
        n = len(self.chunks)
        return math.log(1 + (n + 1) / (self.df.get(term, 0) + 0.5))

    def search(self, text: str, k: int, folded: bool) -> list[int]:
        """Indexes of the k best chunks by BM25 (over folded or accented syllables)."""
        words = folded_syllables(text) if folded else syllables(text)
        index = self.bm25_folded if folded else self.bm25
        if not words or index is None:
            return []
        scores = bm25_scores(index, words)
        top = np.argsort(-scores)[:k]
        return [int(i) for i in top if scores[i] > 0]

    def __getstate__(self) -> dict[str, object]:
        # The chunks live in the store; a saved index holds only what was derived from them.
        return {k: v for k, v in self.__dict__.items() if k not in ("chunks", "position")}


def bm25_scores(index: bm25s.BM25, words: list[str]) -> np.ndarray:
    """bm25s's BM25.get_scores, bit for bit, ~7 times faster over a library of 11,000 chunks: a word's
    postings name each chunk once, so one indexed sum adds them (bm25s calls np.add.at per word)."""
    ids = np.asarray(index.get_tokens_ids(words), dtype=np.dtype(index.int_dtype))
    postings = index.scores
    indptr, indices, data = postings["indptr"], postings["indices"], postings["data"]
    scores = np.zeros(postings["num_docs"], dtype=np.dtype(index.dtype))
    for token in ids:
        start, end = indptr[token], indptr[token + 1]
        scores[indices[start:end]] += data[start:end]
    if index.nonoccurrence_array is not None:
        scores += index.nonoccurrence_array[ids].sum()
    return scores


def _bm25(corpus: list[list[str]]) -> bm25s.BM25 | None:
    if not corpus:
        return None
    index = bm25s.BM25()
    index.index([words or [""] for words in corpus], show_progress=False)
    return index


def index_key(chunks: list[Chunk]) -> str:
    """What a saved index must match: the chunks (their ids hash their content) and the code that built it."""
    digest = hashlib.sha256(f"{FORMAT}\x00{version('bm25s')}\x00".encode())
    digest.update(data_bytes("common_vi.txt"))
    for chunk in chunks:
        digest.update(chunk.id.encode() + b"\x00")
    return digest.hexdigest()


def load_or_build(chunks: list[Chunk], path: Path | None) -> LexicalIndex:
    """The index of these chunks: read from `path` when it was saved for the same chunks, else built
    (and saved there). The saved file is a cache: when it cannot be read or written, the index is
    built in memory and the assistant goes on."""
    if path is None or not chunks:
        return LexicalIndex(chunks)
    key = index_key(chunks)
    index = _load(path, key)
    if index is None:
        index = LexicalIndex(chunks)
        _save(path, key, index)
    else:  # a saved index holds no chunks (see __getstate__)
        index.chunks = chunks
        index.position = {c.id: i for i, c in enumerate(chunks)}
    return index


def _load(path: Path, key: str) -> LexicalIndex | None:
    try:
        with path.open("rb") as file:
            if file.readline().rstrip(b"\n") != key.encode():
                return None
            # Our own file in the data folder, as trusted as the Chroma database beside it.
            index = pickle.load(file)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a truncated or foreign file is rebuilt, never fatal
        log.warning("Lexical index %s unreadable (%s); rebuilding it.", path, exc)
        return None
    return index if isinstance(index, LexicalIndex) else None


def _save(path: Path, key: str, index: LexicalIndex) -> None:
    """Write atomically (core.files.write_private), so a reader never sees half a file."""
    try:
        write_private(path, key.encode() + b"\n" + pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError as exc:  # a full or read-only disk costs a rebuild next time, nothing more
        log.warning("Could not save the lexical index to %s (%s).", path, exc)
