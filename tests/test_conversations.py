"""Conversations saved by id, so a browser reload restores the chat with its sources."""

from __future__ import annotations

from pathlib import Path

from assistant.conversations import ConversationStore, new_id

MESSAGES = [
    {"role": "user", "content": "Nhiệm vụ thứ tư?"},
    {
        "role": "assistant",
        "content": "Thứ tư, … [1]",
        "citations": [{"n": 1, "label": "KH 32, Nhiệm vụ thứ tư"}],
    },
]


def test_save_load_replace_delete(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "data" / "conversations.sqlite")
    conversation = new_id()
    assert store.load(conversation) == []
    store.save(conversation, MESSAGES[:1])
    store.save(conversation, MESSAGES)
    assert ConversationStore(tmp_path / "data" / "conversations.sqlite").load(conversation) == MESSAGES
    assert store.load(new_id()) == []
    store.delete(conversation)
    assert store.load(conversation) == []


def test_ids_are_unique_and_url_safe() -> None:
    ids = {new_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(i.isalnum() for i in ids)
