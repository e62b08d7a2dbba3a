"""Text for hand-made sweep grids, shared by the grid-file tests and the end-to-end
sweep tests.

:data:`THREE_BRANCHES` is the ``[[branch]]`` part of a grid: the RC1 baseline, an
alpha-first top-3 branch and the same with two selective vetoes — three branches that
differ in ordering, cap and vetoes, so a sweep over them has cells that really differ.
"""

from __future__ import annotations

THREE_BRANCHES = """
[[branch]]
name = "rc1_baseline"
ordering = "height_first"
top_k = "all"

[[branch]]
name = "alpha_first"
ordering = "alpha_first"
top_k = 3

[[branch]]
name = "alpha_first_selective_veto"
ordering = "alpha_first"
top_k = 3
selective_vetoes = ["W1_BROKEN_RATE", "W2_LIMIT_DOWNS"]
"""
