"""Shared fixtures: every test gets its own data folder; a fake embedder for fast unit tests."""

from __future__ import annotations

import os

# Settings read a .env file: a developer's (say, one naming an LLM endpoint) must not reach the tests.
os.environ["KH32_ENV_FILE"] = os.devnull
LLM_VARIABLES = ("OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL", "KH32_LLM_BASE_URL", "KH32_LLM_API_KEY")
for _name in LLM_VARIABLES:
    os.environ.pop(_name, None)

import hashlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings as hypothesis_settings

from assistant import Assistant, Settings, Store, get_settings
from assistant.answering.support import SupportScorer
from assistant.database.connection import dispose_all
from assistant.language.text import folded_syllables
from assistant.store.embeddings import DIM, E5Embeddings
from evals.dataset import Corpus
from tests.postgres import PostgresServer, unavailable

# Property tests explore new random cases on a developer's machine; CI replays a fixed set, so that a red
# build always means a change broke something (a case found locally is pinned with @example).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT / "ingest" / "corpus"


@pytest.fixture(autouse=True)
def isolated_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the store at a fresh folder for each test; settings are re-read from the environment."""
    data = tmp_path / "kh32-data"
    monkeypatch.setenv("KH32_DATA_DIR", str(data))
    monkeypatch.delenv("KH32_DATABASE_URL", raising=False)  # records in the data folder unless a test says
    for name in (
        "OPENAI_BASE_URL",
        "OPENAI_API_KEY",
        "OPENAI_MODEL",
        "KH32_LLM_BASE_URL",
        "KH32_LLM_API_KEY",
    ):
        monkeypatch.delenv(name, raising=False)  # no test talks to a real LLM by accident
    get_settings.cache_clear()
    yield data
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session (tests/postgres.py); the test skips, saying why, when
    PostgreSQL is not installed."""
    if reason := unavailable():
        pytest.skip(reason)
    server = PostgresServer().start()
    yield server
    dispose_all()
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str | None]:
    """The records' backend of a test run on both: 'sqlite' keeps them in the data folder (None);
    'postgresql' sets KH32_DATABASE_URL to a fresh, empty database of the session's server (its URL)."""
    if request.param == "sqlite":
        yield None
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.new_database()
    url = server.url(name)
    monkeypatch.setenv("KH32_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()
    dispose_all()
    server.drop_database(name)


class _HashEncoder:
    """Deterministic bag-of-syllables vectors: similar wording → similar vectors, no model needed."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(DIM, dtype=np.float32)
        for word in folded_syllables(text):
            vector[
                int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "little") % DIM
            ] += 1
        norm = np.linalg.norm(vector)
        return vector / norm if norm else vector

    def passage(self, texts: list[str]) -> np.ndarray:
        self.calls.extend(texts)
        return np.stack([self._vector(t) for t in texts])

    def query(self, text: str) -> np.ndarray:
        return self._vector(text)


class FakeEmbeddings(E5Embeddings):
    """E5Embeddings (with its real cache) over a hashing encoder instead of the e5 model."""

    def __init__(self, cache_path: Path | None = None) -> None:
        super().__init__(cache_path=cache_path)
        self.model_tag = "fake-hash"
        self.encoder = _HashEncoder()

    def _encoder(self) -> _HashEncoder:
        return self.encoder


@pytest.fixture
def fake_store(isolated_data: Path) -> Store:
    """An empty store on the fast fake embedder."""
    settings = Settings(data_dir=isolated_data)
    return Store(settings, FakeEmbeddings(isolated_data / "embeddings.sqlite"))


@pytest.fixture(scope="session")
def corpus_assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """The real assistant (e5 embedder) over the bundled corpus, built once per test session."""
    from ingest.pipeline import ensure_corpus

    settings = Settings(data_dir=tmp_path_factory.mktemp("corpus-store"))
    assistant = Assistant(settings)
    ensure_corpus(assistant.store, settings)
    return assistant


@pytest.fixture(scope="session")
def scorer(corpus_assistant: Assistant) -> SupportScorer:
    """The offline support scorer over the bundled corpus (the eval harness's), built once per session."""
    corpus = Corpus()
    return SupportScorer(corpus_assistant.store.embeddings, [corpus.body(d) for d in corpus.files])
