"""Pause the cyclic garbage collector around bulk work that allocates hundreds of thousands of acyclic objects.

Loading and planning 100,000 tasks builds about a million small objects; each generational GC pass rescans
the survivors, which roughly doubles the run. Reference counting still frees everything as usual. Nesting is
safe (a pass inside a load): the collector comes back when the outermost block ends, if it was on before.

The switch is process-wide. The scheduler's pass runs in a worker process (bot.db.offloop), so pausing there
never touches the process serving chats: its collector keeps running, and no full collection over the pass's
million live objects (which holds the GIL for a hundred milliseconds or more) can freeze its event loop. The
lock keeps the depth count right should two threads of one process pause at once.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = True


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector for the block (re-entrant, from any thread)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
