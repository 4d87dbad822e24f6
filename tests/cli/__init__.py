"""Tests of assistant/cli/: the command line."""
