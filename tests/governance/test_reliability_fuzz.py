"""A fuzz of every source model (issue 9, class 11): mutate one field of a valid run.

Each example starts from the healthy run and mutates one of its sources — a key
deleted, a value of another JSON type, a non-finite number, a duplicate key, or a
value from a wider pool (huge numbers, odd text) — then runs ``check`` in this process.
Whatever the mutation:

- never a traceback: the exit code is a decision's (0, 10, 20), stderr holds none;
- always a decision file, whose ``decision_id`` verifies;
- a mutation that breaks a rule of the source (every key is required; types are
  exact; non-finite numbers and duplicate keys are banned everywhere) never PROCEEDs:
  the owning gate reports the source's ``*_CORRUPT`` code.

Which mutations break a rule is decided here, by hand, from the documented schema
(not by asking the code under test).
"""

from __future__ import annotations

import json
import math
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dragon_governance import read_decision
from tests.governance.builders import (
    DIVERGENCE,
    HEALTH,
    HISTORY,
    MANIFEST,
    REFINED_CONTROL,
    RunDir,
)
from tests.governance.hostile import run_check

JSON_SOURCES = {
    MANIFEST: "MANIFEST_CORRUPT",
    HEALTH: "HEALTH_CORRUPT",
    DIVERGENCE: "DIVERGENCE_CORRUPT",
    REFINED_CONTROL: "REFINED_CONTROL_CORRUPT",
}
Location = tuple[int | str, ...]


@cache
def _healthy_documents() -> dict[str, Any]:
    """The JSON sources of the healthy run, as written (the manifest with its outputs)."""
    with tempfile.TemporaryDirectory() as scratch:
        root = RunDir(Path(scratch) / "run").build()
        return {name: json.loads((root / name).read_text()) for name in JSON_SOURCES}


def _locations(value: Any, prefix: Location = ()) -> list[Location]:
    found: list[Location] = []
    children = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, child in children:
        found.append((*prefix, key))
        found += _locations(child, (*prefix, key))
    return found


def _get(document: Any, location: Location) -> Any:
    for part in location:
        document = document[part]
    return document


def _type_class(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


class Raw:
    """Text spliced into the JSON as is (``NaN``, ``1e309``)."""

    def __init__(self, text: str) -> None:
        self.text = text


class Pairs(list[tuple[str, Any]]):
    """An object written pair by pair, so a key can appear twice."""


def dumps(value: Any) -> str:
    """JSON text of ``value``, with ``Raw`` spliced in and ``Pairs`` keys repeated."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Pairs):
        return "{" + ", ".join(f"{json.dumps(k)}: {dumps(v)}" for k, v in value) + "}"
    if isinstance(value, dict):
        return dumps(Pairs(value.items()))
    if isinstance(value, list):
        return "[" + ", ".join(dumps(item) for item in value) + "]"
    if isinstance(value, float) and not math.isfinite(value):
        return json.dumps(value)  # NaN / Infinity, as Python's json writes them
    return json.dumps(value)


def _set(document: Any, location: Location, value: Any) -> None:
    _get(document, location[:-1])[location[-1]] = value


NON_FINITE = [Raw("NaN"), Raw("Infinity"), Raw("-Infinity"), Raw("1e309"), Raw("-1e400")]
TYPE_POOL = [None, True, 0, 1.5, "x y", [], {}]
WIDE_POOL = [10**30, -(10**30), 1e300, -1e-300, "", "\x00", "a" * 500, "2024-10-08", "😀", 0, -1]


def _flexible(location: Location) -> bool:
    """A condition's value/threshold may be a number, an ISO date string or null."""
    return bool(location) and location[-1] in ("value", "threshold") and "conditions" in location


def _under_versions(location: Location) -> bool:
    return len(location) >= 2 and location[0] == "versions"


@dataclass(frozen=True)
class Mutation:
    filename: str
    kind: str
    location: Location
    text: str
    breaks_a_rule: bool


@st.composite
def json_mutations(draw: st.DrawFn) -> Mutation:
    filename = draw(st.sampled_from(sorted(JSON_SOURCES)))
    document = json.loads(json.dumps(_healthy_documents()[filename]))
    locations = _locations(document)
    kind = draw(st.sampled_from(["delete", "wrong_type", "non_finite", "duplicate", "wide"]))
    if kind == "delete":
        location = draw(st.sampled_from([loc for loc in locations if isinstance(loc[-1], str)]))
        del _get(document, location[:-1])[location[-1]]
        breaks = not _under_versions(location)
    elif kind == "wrong_type":
        location = draw(st.sampled_from(locations))
        original = _type_class(_get(document, location))
        value = draw(st.sampled_from([v for v in TYPE_POOL if _type_class(v) != original]))
        _set(document, location, value)
        breaks = not _flexible(location)
    elif kind == "non_finite":
        objects = [()] + [loc for loc in locations if isinstance(_get(document, loc), dict)]
        if draw(st.booleans()):
            location = draw(st.sampled_from(locations))
        else:  # an extra field the model would ignore
            location = (*draw(st.sampled_from(objects)), "zz_extra")
        _set(document, location, draw(st.sampled_from(NON_FINITE)))
        breaks = True
    elif kind == "duplicate":
        objects = [()] + [loc for loc in locations if isinstance(_get(document, loc), dict)]
        objects = [loc for loc in objects if _get(document, loc)]
        location = draw(st.sampled_from(objects))
        target = _get(document, location)
        key = draw(st.sampled_from(sorted(target)))
        pairs = Pairs(target.items())
        pairs.insert(draw(st.integers(0, len(pairs))), (key, draw(st.sampled_from(TYPE_POOL))))
        if location:
            _set(document, location, pairs)
        else:
            document = pairs
        location = (*location, key)
        breaks = True
    else:
        location = draw(st.sampled_from(locations))
        _set(document, location, draw(st.sampled_from(WIDE_POOL)))
        breaks = False
    return Mutation(filename, kind, location, dumps(document), breaks)


def _check(run: RunDir, corrupt_code: str, breaks_a_rule: bool, what: object) -> None:
    root = run.build()
    checked = run_check(root)
    assert checked.code in (0, 10, 20), (what, checked.stderr)
    assert "Traceback" not in checked.stderr, what
    assert checked.decision is not None, what
    read_decision(root.parent / f"{root.name}.decision.json")  # its decision_id verifies
    if breaks_a_rule:
        assert checked.verdict != "PROCEED", what
        assert checked.reasons(corrupt_code), (what, checked.decision["gates"])


@settings(max_examples=150)
@given(json_mutations())
def test_a_mutated_json_source_never_crashes_and_never_proceeds_when_broken(mutation: Mutation):
    with tempfile.TemporaryDirectory() as scratch:
        run = RunDir(Path(scratch) / "run")
        run.raw[mutation.filename] = mutation.text.encode()
        _check(run, JSON_SOURCES[mutation.filename], mutation.breaks_a_rule, mutation)


# --- monitor_history.csv ---------------------------------------------------------------

GARBAGE = ["", "maybe", "2024-13-01", "a b", "x\x00y", "TRUE", "1", '"quoted']


@cache
def _healthy_history() -> str:
    with tempfile.TemporaryDirectory() as scratch:
        return (RunDir(Path(scratch) / "run").build() / HISTORY).read_text()


@st.composite
def history_mutations(draw: st.DrawFn) -> tuple[str, bytes]:
    lines = _healthy_history().splitlines()
    index = draw(st.integers(1, len(lines) - 1))
    fields = lines[index].split(",")
    kind = draw(
        st.sampled_from(
            [
                "field",
                "drop_field",
                "add_field",
                "duplicate",
                "delete",
                "blank",
                "header",
                "bom",
                "bytes",
            ]
        )
    )
    if kind == "field":
        column = draw(st.integers(0, 2))
        fields[column] = draw(st.sampled_from(GARBAGE))
        lines[index] = ",".join(fields)
    elif kind == "drop_field":
        lines[index] = ",".join(fields[:-1])
    elif kind == "add_field":
        lines[index] = ",".join([*fields, "extra"])
    elif kind == "duplicate":
        lines.insert(index, lines[index])
    elif kind == "delete":
        del lines[index]
    elif kind == "blank":
        lines.insert(draw(st.integers(1, len(lines))), "")
    elif kind == "header":
        lines[0] = draw(st.sampled_from(["as_of,condition,active", "as_of,condition_id", ""]))
    data = ("\n".join(lines) + "\n").encode()
    if kind == "bom":
        data = b"\xef\xbb\xbf" + data
    elif kind == "bytes":
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + b"\xff" + data[cut:]
    return f"{kind} at line {index + 1}", data


@settings(max_examples=60)
@given(history_mutations())
def test_a_mutated_history_never_crashes_and_never_proceeds(mutation: tuple[str, bytes]):
    what, data = mutation
    with tempfile.TemporaryDirectory() as scratch:
        run = RunDir(Path(scratch) / "run")
        run.history = data
        _check(run, "HISTORY_CORRUPT", True, what)
