"""A sweep's cells: one (branch, window, universe) each, named by a content hash.

A cell's key is the sha256 of the canonical JSON of everything its result depends
on: the data inputs (each file's role and sha256, not its path), the branch's
definition, the window, the universe's filters, the grid's policies (name, policy
file sha256, roles) and the three Dragon distributions' installed versions. Equal
keys mean equal results, so a finished cell is never run again (resume) and a
changed input runs every cell it touches.

Cells are grouped by market (:class:`MarketGroup`: one window × one universe), since
all branches of a group run on one prepared market; groups run latest window end
first (the most history to featurize, so the longest tasks start first).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from dragon_compat.branches import BranchConfig
from dragon_compat.rundir import FileDigest
from dragon_compat.sweep.grid import Grid, PolicySpec, Universe, Window
from dragon_compat.versions import DISTRIBUTIONS, installed_version
from dragon_runtime import canonical_json, sha256_hex

__all__ = ["Cell", "MarketGroup", "branch_document", "cell_key", "plan_cells"]


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: its position in grid order (universe, window, branch), what it runs,
    and its key."""

    index: int
    branch: BranchConfig
    window: Window
    universe: Universe
    key: str


@dataclass(frozen=True, slots=True)
class MarketGroup:
    """The cells sharing one prepared market (a window of a universe)."""

    window: Window
    universe: Universe
    cells: tuple[Cell, ...]


def branch_document(branch: BranchConfig) -> dict[str, object]:
    """A branch's definition as JSON (its BranchConfig fields)."""
    document = dataclasses.asdict(branch)
    document["ordering"] = str(branch.ordering)
    document["selective_vetoes"] = [str(code) for code in branch.selective_vetoes]
    return document


def cell_key(
    inputs: Sequence[FileDigest],
    branch: BranchConfig,
    window: Window,
    universe: Universe,
    policies: Sequence[PolicySpec],
) -> str:
    """The content hash naming a cell (see the module docstring)."""
    document = {
        "inputs": [{"role": str(entry.role), "sha256": entry.sha256} for entry in inputs],
        "branch": branch_document(branch),
        "window": [window.start.isoformat(), window.end.isoformat()],
        "universe": universe.document(),
        "policies": [policy.document() for policy in policies],
        "versions": {name: installed_version(name) for name in DISTRIBUTIONS},
    }
    return sha256_hex(canonical_json(document))


def plan_cells(
    grid: Grid, windows: Sequence[Window], inputs: Sequence[FileDigest]
) -> tuple[tuple[Cell, ...], tuple[MarketGroup, ...]]:
    """Every cell of the grid over ``windows`` in grid order (universe, window, branch)
    and the market groups in run order (latest window end first, then grid order)."""
    cells: list[Cell] = []
    groups: list[MarketGroup] = []
    for universe in grid.universes:
        for window in windows:
            group = tuple(
                Cell(
                    index=len(cells) + offset,
                    branch=branch,
                    window=window,
                    universe=universe,
                    key=cell_key(inputs, branch, window, universe, grid.policies),
                )
                for offset, branch in enumerate(grid.branches)
            )
            cells.extend(group)
            groups.append(MarketGroup(window, universe, group))
    ordered = sorted(groups, key=lambda g: g.window.end, reverse=True)  # stable
    return tuple(cells), tuple(ordered)
