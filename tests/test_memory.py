"""Freed memory goes back to the operating system (btctrace/memory.py)."""

import ctypes.util
import subprocess
import sys

import pytest

from btctrace.memory import release_freed_memory

GLIBC = sys.platform.startswith("linux") and "libc.so.6" in (ctypes.util.find_library("c") or "")

PROGRAM = """
import sys
from btctrace.memory import release_freed_memory

def rss_mib():
    with open("/proc/self/statm") as stream:
        return int(stream.read().split()[1]) * 4096 / 2**20

blocks = [b"%d" % n * 400 for n in range(100_000)]  # ~200 MB of heap blocks, as a cassette's bodies
pinned = blocks[::64]  # one in 64 stays in use: the free space is in holes, not at the heap's top
before = rss_mib()
del blocks
freed = rss_mib()
assert release_freed_memory(collect=True) is True
print(before, freed, rss_mib(), len(pinned))
"""


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's")
def test_a_trim_gives_the_freed_heap_back_and_keeps_what_is_in_use():
    before, freed, trimmed, pinned = map(float, subprocess.run([sys.executable, "-c", PROGRAM], check=True,
                                                                capture_output=True, text=True).stdout.split())
    assert freed - trimmed > 100, f"freed {before - freed:.0f} MiB without a trim, {freed - trimmed:.0f} MiB with it"
    assert pinned == 1563, "what is in use stays"


def test_without_glibc_it_does_nothing_and_says_so(monkeypatch):
    import btctrace.memory as memory

    monkeypatch.setattr(memory, "_malloc_trim", lambda: None)
    assert release_freed_memory() is False


def test_automatic_collection_is_paused_in_the_block_and_as_it_was_after(monkeypatch):
    import gc

    from btctrace.memory import collection_paused

    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused(False):  # inside a pause, not pausing does not restart it
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with collection_paused(active=False):
        assert gc.isenabled()
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("a failure inside the block")
    assert gc.isenabled(), "restored after a failure too"
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled(), "a collector the caller had turned off stays off"
    finally:
        gc.enable()


def test_a_replayed_run_pauses_collection_while_it_works_and_leaves_it_on(demo, tmp_path, monkeypatch):
    import gc

    import btctrace.runner as runner
    from btctrace.runner import TraceJob, run_trace
    from btctrace.testing.synthetic import record_synthetic
    from btctrace.tracing.result import Seed, TraceLimits

    seen = {}
    walk, write_outputs = runner.walk, runner.write_outputs

    def walking(*args, **kwargs):
        seen["walk"] = gc.isenabled()
        return walk(*args, **kwargs)

    def writing(*args, **kwargs):
        seen["exports"] = gc.isenabled()
        return write_outputs(*args, **kwargs)
    monkeypatch.setattr(runner, "walk", walking)
    monkeypatch.setattr(runner, "write_outputs", writing)
    seeds, limits = (Seed("address", demo.ransom_address),), TraceLimits(hops=2)
    cassette = record_synthetic(demo.store, tmp_path / "demo.json", seeds, limits)
    run_trace(TraceJob(seeds, tmp_path / "out", limits=limits, offline=cassette))
    assert seen == {"walk": False, "exports": False} and gc.isenabled()


def test_what_lives_is_frozen_in_the_block_and_a_collection_there_still_frees_new_cycles():
    import gc
    import weakref

    from btctrace.memory import long_lived_frozen

    class Node:
        pass

    assert gc.get_freeze_count() == 0
    with long_lived_frozen():
        assert gc.get_freeze_count() > 0, "the objects alive at the start are left out of collections"
        made = Node()
        made.itself = made  # a cycle the block makes
        gone = weakref.ref(made)
        del made
        gc.collect()
        assert gone() is None, "a collection in the block frees what the block made"
    assert gc.get_freeze_count() == 0, "put back after"
    gc.freeze()
    try:
        with long_lived_frozen():
            pass
        assert gc.get_freeze_count() > 0, "what someone else froze stays frozen"
    finally:
        gc.unfreeze()


def test_a_replayed_trace_frees_its_cassette_without_a_cycle_collection(demo, tmp_path, monkeypatch):
    """The runner skips the full collection after a replayed walk: that holds only while no
    reference cycle keeps the transport (and so the cassette's answers) alive."""
    import gc
    import weakref

    from btctrace.cache import cassettes
    from btctrace.runner import TraceJob, trace_and_analyse
    from btctrace.testing.synthetic import record_synthetic
    from btctrace.tracing.result import Seed, TraceLimits

    seeds, limits = (Seed("address", demo.ransom_address),), TraceLimits(hops=2)
    cassette = record_synthetic(demo.store, tmp_path / "demo.json", seeds, limits)
    loaded = []
    load = cassettes.Cassette.load.__func__

    def loading(cls, path):
        made = load(cls, path)
        loaded.append(weakref.ref(made))
        return made
    monkeypatch.setattr(cassettes.Cassette, "load", classmethod(loading))
    gc.collect()
    gc.disable()  # nothing may be freed here but by reference counting
    try:
        traced = trace_and_analyse(TraceJob(seeds, tmp_path / "out", limits=limits, offline=cassette))
        assert loaded and all(ref() is None for ref in loaded), "a reference cycle keeps the cassette alive"
    finally:
        gc.enable()
    assert traced.result.txs
