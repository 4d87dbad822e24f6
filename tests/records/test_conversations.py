"""Conversations: ids issued by the server, each conversation opened only by its owner or an admin; in the
data folder's SQLite file and in PostgreSQL (the `database` fixture runs a test on both)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assistant import Settings
from assistant.access.roles import PermissionDenied
from assistant.records.conversations import ConversationStore, new_id
from tests.roles import ADMIN, READER, TRAINER

MESSAGES = [
    {"role": "user", "content": "Nhiệm vụ thứ tư?"},
    {
        "role": "assistant",
        "content": "Thứ tư, … [1]",
        "citations": [{"n": 1, "label": "KH 32, Nhiệm vụ thứ tư"}],
    },
]


@pytest.fixture
def store(database: str | None) -> ConversationStore:
    """The configured conversations: the data folder's file, or the test's PostgreSQL database."""
    return ConversationStore.of(Settings())


def test_save_load_replace_delete(store: ConversationStore) -> None:
    conversation = store.create(READER)
    assert store.load(READER, conversation) == []
    store.save(READER, conversation, MESSAGES[:1])
    store.save(READER, conversation, MESSAGES)
    assert ConversationStore.of(Settings()).load(READER, conversation) == MESSAGES
    assert store.load(READER, new_id()) is None
    store.delete(READER, conversation)
    assert store.load(READER, conversation) is None


def test_a_conversation_opens_only_for_its_owner_or_an_admin(store: ConversationStore) -> None:
    conversation = store.create(READER)
    store.save(READER, conversation, MESSAGES)
    assert store.load(TRAINER, conversation) is None  # the same answer as for an unknown id
    assert store.load(ADMIN, conversation) == MESSAGES
    with pytest.raises(PermissionDenied):
        store.save(TRAINER, conversation, [])
    with pytest.raises(PermissionDenied):
        store.save(ADMIN, conversation, [])  # an admin reads; they continue in a conversation of their own
    store.delete(TRAINER, conversation)
    assert store.load(READER, conversation) == MESSAGES


def test_fixation_an_id_the_server_did_not_issue_is_never_adopted(store: ConversationStore) -> None:
    """The attack: a link with an id the attacker chose; the victim's messages must not land under it."""
    planted = "attacker-picked-id"
    assert store.load(READER, planted) is None
    with pytest.raises(PermissionDenied):
        store.save(READER, planted, MESSAGES)
    assert store.owner(planted) is None
    # an id the attacker was issued is theirs: the victim cannot write into it either
    attackers = store.create(TRAINER)
    with pytest.raises(PermissionDenied):
        store.save(READER, attackers, MESSAGES)
    assert store.load(TRAINER, attackers) == []


def test_old_files_get_an_owner_column_and_only_admins_open_their_conversations(tmp_path: Path) -> None:
    path = tmp_path / "conversations.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE conversations (id TEXT PRIMARY KEY, messages TEXT NOT NULL, updated REAL)")
        db.execute("INSERT INTO conversations VALUES ('cu', '[]', 0)")
    store = ConversationStore(path)
    assert store.load(READER, "cu") is None
    assert store.load(ADMIN, "cu") == []
    conversation = store.create(READER)  # and the file goes on as a file of this version
    store.save(READER, conversation, MESSAGES)
    assert ConversationStore(path).load(READER, conversation) == MESSAGES
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT record, version FROM kh32_schema").fetchall() == [("conversations", 1)]


def test_ids_are_unique_and_url_safe() -> None:
    ids = {new_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(i.isalnum() for i in ids)
