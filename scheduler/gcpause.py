"""Pause the cyclic garbage collector around bulk work that allocates hundreds of thousands of acyclic objects.

Loading and planning 100,000 tasks builds about a million small objects; each generational GC pass rescans
the survivors, which roughly doubles the run. Reference counting still frees everything as usual. Nesting is
safe (a pass inside a load): the collector comes back when the outermost block ends, if it was on before.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_depth = 0
_was_enabled = True


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector for the block (re-entrant)."""
    global _depth, _was_enabled
    if _depth == 0:
        _was_enabled = gc.isenabled()
        gc.disable()
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0 and _was_enabled:
            gc.enable()
