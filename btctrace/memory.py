"""Give freed memory back to the operating system between the stages of a large run, and keep
Python's automatic cycle collector from re-walking the run's objects while they accumulate.

CPython frees the cassette, the explorer answers and each export's transient objects, but
glibc's allocator keeps the pages of its heap for reuse, and CPython's own small-object arenas
are mapped afresh, so the freed pages are never reused by what follows: the process's resident
size only grows (measured on the 100,000-transaction benchmark: 2,191 MiB after the analysis,
1,608 MiB after a trim; issue 18). ``malloc_trim(0)`` returns every free page of the heap. The
same remedy Dask's workers use for "memory not released back to the OS" (Dask distributed
documentation, *Worker memory management*). A no-op where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
import gc
from contextlib import contextmanager
from functools import lru_cache
from typing import Callable, Iterator

__all__ = ["release_freed_memory", "collection_paused", "long_lived_frozen"]


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim`` from the symbols already loaded (``ctypes.util.find_library``
    would run ``ldconfig`` in a subprocess: a fork of a process of gigabytes)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):  # not glibc (musl, macOS, Windows): nothing to trim
        return None


def release_freed_memory(collect: bool = False) -> bool:
    """Return the heap's free pages to the OS (after collecting unreachable cycles, when
    *collect*: a full collection walks every object, ~1 s at 100,000 transactions). True when
    the C library could be asked (glibc); the objects still in use are never touched."""
    if collect:
        gc.collect()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


@contextmanager
def collection_paused(active: bool = True) -> Iterator[None]:
    """Python's automatic cycle collection paused for the block when *active* (and as it was
    after it). A trace's objects (answers, transactions, the graph, the exports' rows) are freed
    by reference counting and hardly form cycles, but the collector, started every 700 new
    objects, walks them again and again as they accumulate: 2.4 s of a 17 s run at 10,000
    transactions (issue 18). The cycles a run does make (a live transport's objects, NetworkX
    graph copies) are collected explicitly where they are let go (:func:`release_freed_memory`
    with *collect*); a replay's transport makes none. CPython's ``gc`` documentation advises the same for a process that forks
    (collection disabled early in the parent; the export children inherit it)."""
    was_enabled = gc.isenabled()
    if active:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def long_lived_frozen() -> Iterator[None]:
    """The objects alive at the start of the block (the trace, its analysis and graph) are left
    out of every collection inside it (``gc.freeze``) and put back after: a collection between
    the exports then looks only at what the exports made (their frames, figures), not at the
    millions of objects of the model of a large case; and, frozen before the export
    children are forked, the model's pages are not copied into them by the collector's
    bookkeeping (CPython's ``gc.freeze`` documentation). Objects someone else froze before stay
    frozen."""
    others_frozen = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        yield
    finally:
        if not others_frozen:
            gc.unfreeze()
