"""``dragon sweep``: grids of branches × windows × universes × policies on dask.distributed.

Modules: ``grid`` (the grid file), ``cells`` (cells, keys, market groups), ``market``
(preparing a group's market once), ``policies`` (each group's replayed decisions per
grid policy), ``work`` (what a worker runs), ``table`` (rows, the stored cells, the
Parquet table) and ``engine`` (serial and dask execution).

dask.distributed is the optional extra ``dragon-compat[sweep]``; this module imports
only the standard library, so the CLI can say what to install when it is missing
(:func:`require_dask`).
"""

from __future__ import annotations

SWEEP_EXTRA_HINT = "pip install 'dragon-compat[sweep]'"
"""What to install for ``dragon sweep``."""


def dask_available() -> bool:
    """Whether dask.distributed can be imported (the ``sweep`` extra is installed)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def require_dask() -> None:
    """Raise :class:`~dragon_compat.errors.DragonUserError` (exit 2) without dask.distributed."""
    from dragon_compat.errors import DragonUserError

    if not dask_available():
        raise DragonUserError(
            f"dragon sweep needs dask.distributed, which is not installed: {SWEEP_EXTRA_HINT}"
        )


__all__ = ["SWEEP_EXTRA_HINT", "dask_available", "require_dask"]
