"""Fixtures for every test directory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from langchain_dataforseo._transport import pools as _pools


@pytest.fixture(autouse=True)
def fresh_shared_pools() -> Iterator[None]:
    """Each test starts with no shared pool, pacer or catalogue (they are per process)."""
    _pools.reset()
    yield
    _pools.reset()
