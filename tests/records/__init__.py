"""Tests of assistant/records/: conversations and feedback."""
