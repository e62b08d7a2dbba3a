"""dragon_compat.process_memory: the CLI's allocator settings never override the user's."""

from __future__ import annotations

import os

import pytest

from dragon_compat import process_memory


@pytest.fixture
def clean_env(monkeypatch):
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    return monkeypatch


def test_configure_turns_huge_pages_off_and_picks_jemalloc_when_unset(clean_env):
    process_memory.configure()
    assert os.environ["NUMPY_MADVISE_HUGEPAGE"] == "0"
    assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "jemalloc"


def test_configure_keeps_settings_the_environment_gives(clean_env):
    clean_env.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
    clean_env.setenv("ARROW_DEFAULT_MEMORY_POOL", "system")
    process_memory.configure()
    assert os.environ["NUMPY_MADVISE_HUGEPAGE"] == "1"
    assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "system"


def test_configure_switches_an_already_loaded_arrow_to_jemalloc(clean_env):
    import pyarrow as pa

    before = pa.default_memory_pool()
    try:
        process_memory.configure()
        assert pa.default_memory_pool().backend_name == "jemalloc"
    finally:
        pa.set_memory_pool(before)
