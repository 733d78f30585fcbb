"""The parse cache: a file whose size and mtime are unchanged is not parsed again; anything
else (a changed file, a corrupt or foreign cache, the cache turned off) falls back to parsing."""

from __future__ import annotations

import os
import time

import pytest
from conftest import ASSET, ticket

from aftersales.store import cache, yamlio
from aftersales.store import files as store


@pytest.fixture
def parses(monkeypatch):
    """Count the files parsed (the cache's whole point is to skip this)."""
    count = {"n": 0}
    real = yamlio.parse

    def counting(data):
        count["n"] += 1
        return real(data)

    monkeypatch.setattr(store, "parse", counting)
    return count


@pytest.fixture
def old_records(records, tmp_path, monkeypatch):
    """A records folder whose files were last changed an hour ago (not 'racy'), with its own cache."""
    monkeypatch.setenv("AFTERSALES_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("AFTERSALES_CACHE", raising=False)
    records.write("tickets/2026/T-1.yaml", ticket())
    hour_ago = time.time() - 3600
    for path in records.root.rglob("*.yaml"):
        os.utime(path, (hour_ago, hour_ago))
    return records


def test_a_second_load_parses_nothing_and_gives_the_same_records(old_records, parses):
    first = store.load(old_records.root)
    files = parses["n"]
    second = store.load(old_records.root)
    assert files == len(list(old_records.root.rglob("*.yaml")))   # each file once
    assert parses["n"] == files            # nothing parsed the second time
    assert second.records == first.records
    assert second.problems == first.problems


def test_a_changed_file_is_parsed_again(old_records, parses):
    store.load(old_records.root)
    before = parses["n"]
    old_records.write("assets/CHAIR-1.yaml", ASSET.replace("name:", "name: 新"))
    loaded = store.load(old_records.root)
    assert parses["n"] == before + 1
    assert loaded.records.assets["CHAIR-1"].name.startswith("新")


def test_a_corrupt_cache_is_rebuilt_not_trusted(old_records, parses):
    store.load(old_records.root)
    path = cache.ParseCache(old_records.root).path
    path.write_bytes(b"not a pickle")
    before = parses["n"]
    loaded = store.load(old_records.root)
    files = len(list(old_records.root.rglob("*.yaml")))
    assert parses["n"] == before + files
    assert "CHAIR-1" in loaded.records.assets
    store.load(old_records.root)
    assert parses["n"] == before + files   # rebuilt by the previous run


def test_the_cache_lives_outside_the_records_folder(old_records, tmp_path):
    store.load(old_records.root)
    path = cache.ParseCache(old_records.root).path
    assert path.exists() and path.is_relative_to(tmp_path / "cache")
    assert not path.is_relative_to(old_records.root)


def test_it_can_be_turned_off(old_records, parses, monkeypatch):
    monkeypatch.setenv("AFTERSALES_CACHE", "off")
    store.load(old_records.root)
    store.load(old_records.root)
    assert parses["n"] == 2 * len(list(old_records.root.rglob("*.yaml")))
    assert not cache.ParseCache(old_records.root, active=True).path.exists()


def test_files_changed_within_the_last_seconds_are_not_cached(records, tmp_path, monkeypatch, parses):
    monkeypatch.setenv("AFTERSALES_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("AFTERSALES_CACHE", raising=False)
    monkeypatch.setattr(cache, "RACY_SECONDS", 3600)  # "just now", however slow the machine running the test
    store.load(records.root)               # the files were written just now: one mtime tick may hide a change
    store.load(records.root)
    assert parses["n"] == 2 * len(list(records.root.rglob("*.yaml")))
