"""The C allocator tuned: for a command that works on arrays of a million rows, and for the
app's server, whose every session runs in a thread of its own.

glibc hands every block over 128 KB back to the kernel when it is freed (its threshold
adapts only after the first such block is freed), so each temporary array of a million rows
is mapped afresh and page-faulted in, value by value. Raising the threshold to its maximum
(32 MB) and keeping freed memory lets the temporaries reuse each other's pages: about 0.2 s
of the million-row benchmark's 1.1 s. Peak memory does not grow (freed blocks are reused,
not added). Elsewhere than glibc (macOS, musl) this does nothing.

Between phases (the file read, the layout) give_back hands what was freed to the system:
the blocks under the threshold that glibc keeps, and the pages Arrow's own pool keeps for
its next read. Without it the 11-million-row benchmark held about 350 MB it no longer used.
"""

from __future__ import annotations

import ctypes

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
SERVER_ARENAS = 2
MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's largest allowed value on 64-bit machines
TRIM_THRESHOLD = 512 * 1024 * 1024


def keep_freed_arrays() -> bool:
    """Tune glibc's malloc for this process; False where there is no glibc."""
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process's own symbols: libc is among them
    except (OSError, AttributeError, TypeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )


def fewer_arenas(arenas: int = SERVER_ARENAS) -> bool:
    """At most `arenas` malloc arenas for this process; False where there is no glibc.

    glibc gives threads that allocate at once arenas of their own (up to 8 a core), and an
    arena's freed memory stays with it. The server runs each session's script in a new
    thread: memory grew by 6-10 MB with every few sessions and was never given back after
    they closed (4 rounds of 3 sessions: 200 to 277 MB; with 2 arenas, 231 to 235 MB)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):
        return False
    return bool(mallopt(M_ARENA_MAX, arenas))


def give_back() -> bool:
    """Return freed memory to the system: Arrow's pool lets go of the pages it keeps for
    reuse (when pyarrow is loaded), then glibc's malloc_trim(0) releases every free page of
    its heaps. About 10 ms; False where there is no glibc."""
    import sys

    if "pyarrow" in sys.modules:  # never load it only to say it holds nothing
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):
        return False
    return bool(trim(0))
