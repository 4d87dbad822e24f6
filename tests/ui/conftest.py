"""Fixtures of the page tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser_app import chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One Debian chromium per test module (tests/browser_app.chromium), closed after its last test."""
    with chromium() as launched:
        yield launched
