"""Errors that carry a message fit for a user; only the CLI and UI turn them into text."""

from __future__ import annotations

import unicodedata


class AssistantError(Exception):
    """Base of every error the assistant reports to a person (message in Vietnamese)."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        # One line, whatever a library put in it, and read as written: no right-to-left override or other
        # invisible format character (from a file name, say) reorders it.
        message = " ".join("".join(ch for ch in message if unicodedata.category(ch) != "Cf").split())
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(AssistantError):
    """The user's input (a question, a file, an option) cannot be used."""

    exit_code = 2


class DocumentError(InputError):
    """A document cannot be read: missing, empty, broken, unsupported or badly encoded."""


class StoreError(AssistantError):
    """The vector store cannot be opened, read or written."""

    exit_code = 3


class DatabaseError(StoreError):
    """The records' database (the data folder's SQLite files, or the PostgreSQL database KH32_DATABASE_URL
    names) cannot be reached, opened, read or written; the message never shows a password."""


class LLMError(AssistantError):
    """The configured LLM endpoint failed or answered unusably."""

    exit_code = 4
