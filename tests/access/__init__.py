"""Tests of assistant/access/: roles, accounts, sign-in."""
