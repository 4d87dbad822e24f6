"""Tests of assistant/language/: text, names, clause references."""
