"""The four RC1 branch configurations (docs/strategy.md, Branches) and the demo roles.

A branch is frozen data: how it orders the session's candidates, how many of the
eligible ones it may take (``top_k``) and which weak predicates it promotes to
vetoes (``selective_vetoes``, FAIL only). Portfolio parameters (capital, maximum
positions) are the runtime's :class:`dragon_runtime.loop.LoopConfig`, not repeated
here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from dragon_compat.errors import DragonUserError
from dragon_runtime import PREDICATE_IDS, REASON_CATALOGUE, ReasonCode, Tier

__all__ = [
    "ALPHA_TOP_K",
    "BRANCHES",
    "DEMO_ROLES",
    "WEAK_PREDICATE_IDS",
    "BranchConfig",
    "BranchRoles",
    "Ordering",
    "branches_markdown",
    "get_branch",
]


class Ordering(StrEnum):
    """How a branch ranks a session's candidates (ties always: board_height desc,
    amount desc, symbol asc)."""

    HEIGHT_FIRST = "height_first"
    """board_height desc, amount desc, symbol asc."""
    ALPHA_FIRST = "alpha_first"
    """alpha_score desc, then the height-first keys."""


ALPHA_TOP_K: Final = 3
"""Eligible candidates an alpha branch may take per session; the rest SKIP ALPHA_RANK_CUTOFF."""

WEAK_PREDICATE_IDS: Final[tuple[ReasonCode, ...]] = tuple(
    code for code in PREDICATE_IDS if REASON_CATALOGUE[code].tier is Tier.WEAK
)
"""The weak predicates in table order (from the runtime catalogue's tiers)."""


@dataclass(frozen=True, slots=True)
class BranchConfig:
    """One branch: ``name``, candidate ``ordering``, ``top_k`` (None = no cutoff) and
    ``selective_vetoes`` (weak predicate ids, in table order, whose FAIL vetoes).

    ``ordering`` may be given as its string value (``"alpha_first"``) and
    ``selective_vetoes`` as any sequence of id strings; both are stored as the enum
    members, in a tuple. Raises ``ValueError`` for an unknown ordering, a ``top_k``
    that is not None or an integer ≥ 1, or a selective veto that is not a weak
    predicate id (strong predicates always veto).
    """

    name: str
    ordering: Ordering
    top_k: int | None
    selective_vetoes: tuple[ReasonCode, ...] = ()

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "ordering", Ordering(self.ordering))
        except ValueError:
            raise ValueError(
                f"branch {self.name!r}: ordering must be one of "
                f"{', '.join(o.value for o in Ordering)}, not {self.ordering!r}"
            ) from None
        if not isinstance(self.selective_vetoes, tuple):
            object.__setattr__(self, "selective_vetoes", tuple(self.selective_vetoes))
        if self.top_k is not None and (
            not isinstance(self.top_k, int) or isinstance(self.top_k, bool) or self.top_k < 1
        ):
            raise ValueError(
                f"branch {self.name!r}: top_k must be None or >= 1, not {self.top_k!r}"
            )
        unknown = [code for code in self.selective_vetoes if code not in WEAK_PREDICATE_IDS]
        if unknown:
            raise ValueError(
                f"branch {self.name!r}: selective_vetoes {unknown} are not weak predicate ids "
                f"({', '.join(WEAK_PREDICATE_IDS)})"
            )
        in_table_order = tuple(c for c in WEAK_PREDICATE_IDS if c in self.selective_vetoes)
        if tuple(self.selective_vetoes) != in_table_order:
            raise ValueError(
                f"branch {self.name!r}: selective_vetoes must be distinct and in table order: "
                f"{', '.join(in_table_order)}"
            )
        object.__setattr__(self, "selective_vetoes", in_table_order)


BRANCHES: Final[Mapping[str, BranchConfig]] = MappingProxyType(
    {
        branch.name: branch
        for branch in (
            BranchConfig("rc1_baseline", Ordering.HEIGHT_FIRST, None),
            BranchConfig("alpha_first", Ordering.ALPHA_FIRST, ALPHA_TOP_K),
            BranchConfig(
                "alpha_first_selective_veto",
                Ordering.ALPHA_FIRST,
                ALPHA_TOP_K,
                (ReasonCode.W1_BROKEN_RATE, ReasonCode.W2_LIMIT_DOWNS),
            ),
            BranchConfig("strict_veto", Ordering.HEIGHT_FIRST, None, WEAK_PREDICATE_IDS),
        )
    }
)
"""The four RC1 branches by name, in table order."""


@dataclass(frozen=True, slots=True)
class BranchRoles:
    """Which branch plays which part in a daily run and its rollout decision."""

    candidate: str
    reference: str
    control: str
    fallback: str


DEMO_ROLES: Final = BranchRoles(
    candidate="alpha_first",
    reference="rc1_baseline",
    control="alpha_first_selective_veto",
    fallback="alpha_first_selective_veto",
)
"""Roles in the demo manifest: the daily candidate is rolled out against the
reference and the control; the fallback is what a rollback returns to."""


def get_branch(name: str) -> BranchConfig:
    """The branch called ``name``; :class:`DragonUserError` naming the known branches
    otherwise (``name`` usually comes from ``--branch``)."""
    try:
        return BRANCHES[name]
    except KeyError:
        raise DragonUserError(
            f"unknown branch {name!r}; choose one of: {', '.join(BRANCHES)}"
        ) from None


def branches_markdown() -> str:
    """The branch table (name, ordering, top_k, selective vetoes) as Markdown.

    The package README embeds this text between ``generated:branches`` markers;
    ``dragon_compat.docs_tables`` checks and rewrites it.
    """
    lines = ["| branch | ordering | top_k | selective_vetoes |", "|---|---|---|---|"]
    for b in BRANCHES.values():
        vetoes = ", ".join(f"`{code}`" for code in b.selective_vetoes) or "—"
        top_k = "—" if b.top_k is None else str(b.top_k)
        lines.append(f"| `{b.name}` | {b.ordering} | {top_k} | {vetoes} |")
    return "\n".join(lines) + "\n"
