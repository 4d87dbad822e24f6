"""A client of a Chroma server (with its auth token), and why a server refused in words a user can act on."""

from __future__ import annotations

import chromadb
import httpx
from chromadb.config import Settings as ChromaSettings

from assistant.core.errors import StoreError
from assistant.core.settings import Settings
from assistant.store.storage import causes


def http_client(settings: Settings) -> chromadb.ClientAPI:
    """A client of the Chroma server, sending the auth token (through Chroma's own token provider)."""
    auth: dict[str, str] = {}
    if settings.chroma_auth_token:
        token = settings.chroma_auth_token.get_secret_value()
        if not token.isascii() or not token.isprintable() or " " in token:
            # Chroma's own message would be fine, but it must never echo the token.
            raise StoreError(
                "KH32_CHROMA_AUTH_TOKEN chỉ được gồm chữ, số và dấu ASCII, không có khoảng trắng."
            )
        auth = {
            "chroma_client_auth_provider": "chromadb.auth.token_authn.TokenAuthClientProvider",
            "chroma_client_auth_credentials": token,
        }
    where = f"{settings.chroma_host}:{settings.chroma_port}"
    try:
        client = chromadb.HttpClient(
            host=settings.chroma_host,
            port=settings.chroma_port,
            ssl=settings.chroma_ssl,
            settings=ChromaSettings(anonymized_telemetry=False, **auth),
        )
    except Exception as exc:
        raise StoreError(f"Không kết nối được máy chủ Chroma {where}: {server_reason(exc)}") from exc
    return client


def server_reason(exc: BaseException) -> str:
    """Why a Chroma server refused, in words a user can act on (chromadb wraps the HTTP error twice)."""
    for cause in causes(exc):
        if isinstance(cause, httpx.HTTPStatusError) and cause.response.status_code in (401, 403):
            return (
                f"máy chủ từ chối truy cập (HTTP {cause.response.status_code}); "
                "kiểm tra KH32_CHROMA_AUTH_TOKEN."
            )
        if isinstance(cause, httpx.ConnectError | httpx.TimeoutException):
            return "không có máy chủ nào trả lời ở địa chỉ này (kiểm tra KH32_CHROMA_HOST, KH32_CHROMA_PORT)."
    return str(exc)
