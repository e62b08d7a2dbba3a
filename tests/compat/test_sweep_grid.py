"""The grid file of `dragon sweep`: what it accepts, what it refuses (naming the key),
rolling windows over the data's sessions, universe filters and cell keys."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dragon_compat.branches import BRANCHES
from dragon_compat.errors import DragonUserError
from dragon_compat.rundir import FileDigest, InputRole
from dragon_compat.sweep.cells import cell_key, plan_cells
from dragon_compat.sweep.grid import RollingWindows, Universe, Window, load_grid
from dragon_compat.sweep.market import universe_rows
from tests.compat.builders import make_bars, path
from tests.compat.sweep_builders import THREE_BRANCHES

EXAMPLES = Path(__file__).parents[2] / "packages" / "dragon-compat" / "examples"

BRANCHES_TOML = THREE_BRANCHES
WINDOW = "\n[[window]]\nstart = 2024-01-02\nend = 2024-03-29\n"


def _grid(tmp_path: Path, text: str) -> Path:
    grid = tmp_path / "grid.toml"
    grid.write_text(text, encoding="utf-8")
    return grid


def _refused(tmp_path: Path, text: str) -> str:
    with pytest.raises(DragonUserError) as caught:
        load_grid(_grid(tmp_path, text))
    assert caught.value.exit_code == 2
    return str(caught.value)


def test_the_shipped_example_grid_loads() -> None:
    grid = load_grid(EXAMPLES / "sweep.toml")
    assert grid.branches.names == ("rc1_baseline", "alpha_first", "alpha_first_selective_veto")
    assert [u.name for u in grid.universes] == ["all", "main", "growth"]
    assert grid.policies[0].roles.candidate == "alpha_first"


def test_inline_branches_and_a_branch_file_give_the_same_branches(tmp_path: Path) -> None:
    (tmp_path / "b.toml").write_text(BRANCHES_TOML, encoding="utf-8")
    inline = load_grid(_grid(tmp_path, BRANCHES_TOML + WINDOW))
    by_file = load_grid(_grid(tmp_path, 'branches = "b.toml"\n' + WINDOW))
    assert inline.branches.branches == by_file.branches.branches


def test_a_grid_without_universes_has_the_universe_of_every_symbol(tmp_path: Path) -> None:
    grid = load_grid(_grid(tmp_path, BRANCHES_TOML + WINDOW))
    assert grid.universes == (Universe("all"),)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("colour = 1\n" + BRANCHES_TOML + WINDOW, "unknown key 'colour'"),
        (BRANCHES_TOML + "\n[[window]]\nstart = 2024-01-02\nend = 2024-03-29\nlen = 3\n", "'len'"),
        (BRANCHES_TOML + "\n[[window]]\nstart = 2024-13-02\nend = 2024-03-29\n", "not valid TOML"),
        (BRANCHES_TOML + '\n[[window]]\nstart = "2024-02-30"\nend = 2024-03-29\n', "'start'"),
        (BRANCHES_TOML + "\n[[window]]\nstart = 2024-03-02\nend = 2024-01-29\n", "'end'"),
        (BRANCHES_TOML + "\n[[window]]\nstart = 2024-03-02\n", "key 'end' missing"),
        (BRANCHES_TOML + "\n[rolling]\nlength = 0\nstep = 5\n", "'length'"),
        (BRANCHES_TOML + "\n[rolling]\nlength = 10\n", "key 'step' missing"),
        (BRANCHES_TOML + "\n[rolling]\nlength = 10\nstep = 2\nbegin = 2024-01-01\n", "'begin'"),
        (BRANCHES_TOML, "no windows"),
        (WINDOW, "no branches"),
        (
            BRANCHES_TOML + WINDOW + '\n[[universe]]\nname = "x"\nboards = ["nasdaq"]\n',
            "'boards': 'nasdaq'",
        ),
        (
            BRANCHES_TOML + WINDOW + '\n[[universe]]\nname = "x"\nsymbols = ["ABC"]\n',
            "'symbols': 'ABC'",
        ),
        (BRANCHES_TOML + WINDOW + '\n[[universe]]\nboards = ["main"]\n', "key 'name' missing"),
        (
            BRANCHES_TOML + WINDOW + '\n[[universe]]\nname = "a"\n[[universe]]\nname = "a"\n',
            "defined twice",
        ),
        (
            BRANCHES_TOML
            + WINDOW
            + '\n[[policy]]\nname = "p"\ncandidate = "strict_veto"\n'
            + 'reference = "rc1_baseline"\ncontrol = "alpha_first"\n',
            "'strict_veto'",
        ),
        (
            BRANCHES_TOML + WINDOW + '\n[[policy]]\nname = "p"\ncandidate = "alpha_first"\n',
            "key 'reference' missing",
        ),
        (
            BRANCHES_TOML
            + WINDOW
            + '\n[[policy]]\nname = "p"\nfile = "nope.toml"\ncandidate = "alpha_first"\n'
            + 'reference = "rc1_baseline"\ncontrol = "alpha_first_selective_veto"\n',
            "no such policy file",
        ),
        (BRANCHES_TOML.replace("top_k = 3", "top_k = 0", 1) + WINDOW, "'top_k'"),
    ],
)
def test_grid_mistakes_are_refused_naming_the_key(tmp_path: Path, text: str, named: str) -> None:
    message = _refused(tmp_path, text)
    assert named in message
    assert str(tmp_path / "grid.toml") in message


def test_a_window_table_is_named_by_its_number(tmp_path: Path) -> None:
    text = BRANCHES_TOML + WINDOW + "\n[[window]]\nstart = 2024-01-02\nend = 2023-01-01\n"
    assert "[[window]] 2" in _refused(tmp_path, text)


def test_rolling_windows_walk_forward_over_the_data_sessions() -> None:
    days = [dt.date(2024, 1, d) for d in (2, 3, 4, 5, 8, 9, 10, 11, 12)]
    rolling = RollingWindows(length=3, step=2, start=dt.date(2024, 1, 3))
    assert rolling.windows(days) == (
        Window(dt.date(2024, 1, 3), dt.date(2024, 1, 5)),
        Window(dt.date(2024, 1, 5), dt.date(2024, 1, 9)),
        Window(dt.date(2024, 1, 9), dt.date(2024, 1, 11)),
    )
    assert RollingWindows(length=3, step=1, end=dt.date(2024, 1, 4)).windows(days) == (
        Window(dt.date(2024, 1, 2), dt.date(2024, 1, 4)),
    )
    assert RollingWindows(length=20, step=1).windows(days) == ()


def test_universe_filters_combine_board_sector_and_symbol() -> None:
    bars = make_bars(
        path("600001.SH", [10.0, 10.1], sector="银行"),
        path("300001.SZ", [10.0, 10.1], sector="半导体"),
        path("688001.SH", [10.0, 10.1], sector="半导体"),
        path("830001.BJ", [10.0, 10.1], sector="银行"),
    )

    def chosen(universe: Universe) -> list[str]:
        return sorted(set(bars.loc[universe_rows(bars, universe), "symbol"].astype(str)))

    assert chosen(Universe("all")) == ["300001.SZ", "600001.SH", "688001.SH", "830001.BJ"]
    assert chosen(Universe("g", boards=("chinext", "star"))) == ["300001.SZ", "688001.SH"]
    assert chosen(Universe("b", boards=("bse",))) == ["830001.BJ"]
    assert chosen(Universe("s", sectors=("半导体",), boards=("star",))) == ["688001.SH"]
    assert chosen(Universe("x", symbols=("600001.SH",), sectors=("半导体",))) == []


def test_a_cell_key_changes_with_each_thing_the_cell_depends_on() -> None:
    inputs = (FileDigest(path="a.parquet", role=InputRole.BARS, sha256="0" * 64),)
    branch = BRANCHES["alpha_first"]
    window = Window(dt.date(2024, 1, 2), dt.date(2024, 3, 29))
    universe = Universe("all")
    base = cell_key(inputs, branch, window, universe, ())
    moved = FileDigest(path="elsewhere/a.parquet", role=InputRole.BARS, sha256="0" * 64)
    assert cell_key((moved,), branch, window, universe, ()) == base  # bytes, not paths
    other_data = (inputs[0].model_copy(update={"sha256": "1" * 64}),)
    assert cell_key(other_data, branch, window, universe, ()) != base
    assert cell_key(inputs, BRANCHES["rc1_baseline"], window, universe, ()) != base
    later = Window(window.start, dt.date(2024, 4, 1))
    assert cell_key(inputs, branch, later, universe, ()) != base
    assert cell_key(inputs, branch, window, Universe("all", boards=("main",)), ()) != base


def test_cells_are_in_grid_order_and_groups_run_latest_end_first(tmp_path: Path) -> None:
    text = (
        BRANCHES_TOML
        + WINDOW
        + "\n[[window]]\nstart = 2024-04-01\nend = 2024-06-28\n"
        + '\n[[universe]]\nname = "a"\n[[universe]]\nname = "m"\nboards = ["main"]\n'
    )
    grid = load_grid(_grid(tmp_path, text))
    inputs = (FileDigest(path="a.parquet", role=InputRole.BARS, sha256="0" * 64),)
    cells, groups = plan_cells(grid, grid.windows, inputs)
    assert [c.index for c in cells] == list(range(12))
    assert [(c.universe.name, c.window.start.month, c.branch.name) for c in cells[:4]] == [
        ("a", 1, "rc1_baseline"),
        ("a", 1, "alpha_first"),
        ("a", 1, "alpha_first_selective_veto"),
        ("a", 4, "rc1_baseline"),
    ]
    assert [(g.universe.name, g.window.end.month) for g in groups] == [
        ("a", 6),
        ("m", 6),
        ("a", 3),
        ("m", 3),
    ]
    assert len({c.key for c in cells}) == 12
