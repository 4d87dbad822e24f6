"""Tests of assistant/retrieval/: the lexical index."""
