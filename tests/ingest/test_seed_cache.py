"""The shipped embedding cache covers the bundled corpus and holds what the model really computes."""

from __future__ import annotations

import numpy as np

from assistant import Settings
from assistant.store.chroma import SEED_CACHE
from assistant.store.embeddings import E5Embeddings, VectorCache
from ingest.seed import seed_texts


def test_seed_cache_covers_every_passage_and_sentence_of_the_bundled_corpus() -> None:
    texts = seed_texts(Settings())
    embeddings = E5Embeddings()
    seed = VectorCache(SEED_CACHE, readonly=True)
    keys = [embeddings.key(t) for t in texts]
    missing = [t for t, k in zip(texts, keys, strict=True) if k not in seed.get_many([k])]
    assert not missing, f"{len(missing)} texts not in the seed cache; run `make seed-cache`: {missing[:2]}"


def test_seed_vectors_are_the_models_vectors() -> None:
    texts = seed_texts(Settings())[::97][:4]
    fresh = E5Embeddings().embed_passages(texts)  # no cache: the model computes them
    seeded = E5Embeddings(seed_paths=[SEED_CACHE])
    # The same model on another CPU (another SIMD path through float32 matrix products) moves a vector by
    # up to ~2e-3; a vector of another text is far off (cosine ~0.8).
    cosines = np.sum(seeded.embed_passages(texts) * fresh, axis=1)
    assert cosines.min() > 0.999, cosines
    assert seeded.embedded_count == 0


def test_the_seed_check_fails_on_another_texts_vector() -> None:
    texts = seed_texts(Settings())[::97][:2]
    vectors = E5Embeddings().embed_passages(texts)
    assert float(vectors[0] @ vectors[1]) < 0.999
