"""Allocator settings for a process that works on a whole market (the ``dragon`` CLI).

On a Linux VM the kernel charges every page a process touches for the first time
(≈ 0.7 s of system time per GiB on the 2-vCPU reference machine), so a columnar run
pays for each fresh allocation, not only for the bytes it keeps. Two library
defaults make a run touch much more fresh memory than it holds:

- numpy advises transparent huge pages (``madvise``) on every array of 4 MiB or
  more; with the kernel's usual ``defrag=madvise`` each such fault may compact
  memory synchronously, and a large temporary freed and allocated again is faulted
  in again;
- Arrow's default pool hands freed pages back early; its jemalloc pool keeps them
  for reuse, so reading a Parquet file column by column recycles the same pages.

:func:`configure` turns both off for the process — numpy's huge-page advice unless
``NUMPY_MADVISE_HUGEPAGE`` is set, Arrow's pool unless ``ARROW_DEFAULT_MEMORY_POOL``
is set (an explicit environment always wins). ``dragon`` calls it once before a
command runs; a library caller decides for its own process (the benchmark's
workers set the two variables instead). Outputs never depend on it.
"""

from __future__ import annotations

import contextlib
import os
import sys

__all__ = ["configure"]

_NUMPY_HUGEPAGE = "NUMPY_MADVISE_HUGEPAGE"
_ARROW_POOL = "ARROW_DEFAULT_MEMORY_POOL"


def configure() -> None:
    """Apply the settings of the module docstring to this process (idempotent).

    Before numpy or pyarrow is imported this only sets the two variables (each
    library reads its own when it loads, and child processes inherit them); a
    library already loaded is switched through its own API.
    """
    if _NUMPY_HUGEPAGE not in os.environ:
        os.environ[_NUMPY_HUGEPAGE] = "0"
        if "numpy" in sys.modules:
            from numpy._core import multiarray

            setter = getattr(multiarray, "_set_madvise_hugepage", None)
            if setter is not None:  # the switch behind NUMPY_MADVISE_HUGEPAGE
                setter(False)
    if _ARROW_POOL not in os.environ:
        os.environ[_ARROW_POOL] = "jemalloc"
        if "pyarrow" in sys.modules:
            import pyarrow as pa

            # a pyarrow built without jemalloc raises: it keeps its default pool
            with contextlib.suppress(NotImplementedError):
                pa.set_memory_pool(pa.jemalloc_memory_pool())
