"""Build the shipped embedding cache of the bundled corpus, so a fresh clone embeds nothing on first use."""

from __future__ import annotations

import sqlite3
import sys

from tqdm import tqdm

from assistant.core.passages import quotable
from assistant.core.settings import Settings
from assistant.store.chroma import SEED_CACHE
from assistant.store.embeddings import E5Embeddings
from ingest.pipeline import bundled_corpus, prepare


def seed_texts(settings: Settings) -> list[str]:
    """Every passage and quotable sentence the bundled corpus produces with these settings (what gets
    embedded: passages at ingest, sentences when an answer weighs them)."""
    chunks = [c for d in prepare(bundled_corpus(settings), settings) for c in d.chunks]
    sentences = [c.text[a:b] for c in chunks for a, b in quotable(c)]
    return [c.passage for c in chunks] + sentences


def build() -> int:
    """Write SEED_CACHE from scratch; returns the number of vectors."""
    settings = Settings()
    texts = list(dict.fromkeys(seed_texts(settings)))
    partial = SEED_CACHE.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    embeddings = E5Embeddings(variant=settings.embedding_variant, cache_path=partial)
    with tqdm(total=len(texts), desc="Embedding", file=sys.stderr) as bar:
        embeddings.embed_passages(texts, progress=bar.update)
    count = len(embeddings.cache) if embeddings.cache else 0
    del embeddings
    with sqlite3.connect(partial) as db:
        db.execute("VACUUM")
    partial.replace(SEED_CACHE)
    return count


if __name__ == "__main__":
    print(f"{build()} vectors -> {SEED_CACHE}")
