"""What pydantic's JSON parser lets through and a source must not contain.

Two things are valid enough for a JSON parser yet make a source corrupt, wherever
they appear (in a field the model reads or in an extra field it ignores):

- **a non-finite number**: ``NaN``, ``Infinity``, ``-Infinity`` (which Python's
  ``json.dumps`` writes by default) or a literal that overflows a double (``1e309``);
- **a duplicate key** in any object (parsers keep the last value silently, so which
  one counts would be a parser's accident).

:func:`first_violation` finds the first one in document order and reports it with
its location (the path of keys and indices, in the form pydantic reports) and the
offending text. Standard library only.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Literal

Location = tuple[int | str, ...]


class _NonFinite(str):
    """The source text of a number that is not finite (``NaN``, ``1e309``, ...)."""

    __slots__ = ()


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys it saw more than once."""

    __slots__ = ("duplicates",)

    duplicates: list[str]


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    result = _Object()
    result.duplicates = []
    for key, value in pairs:
        if key in result and key not in result.duplicates:
            result.duplicates.append(key)
        result[key] = value
    return result


def _float(text: str) -> float | _NonFinite:
    value = float(text)
    return value if math.isfinite(value) else _NonFinite(text)


@dataclass(frozen=True)
class Violation:
    """A non-finite number or a duplicate key at ``location``; ``text`` is what was found."""

    kind: Literal["non_finite", "duplicate_key"]
    location: Location
    text: str


def _parse(data: bytes) -> Any:
    """The JSON value with markers; ``ValueError`` when ``data`` is not JSON to ``json``."""
    try:
        return json.loads(
            data, object_pairs_hook=_object, parse_constant=_NonFinite, parse_float=_float
        )
    except RecursionError:
        raise ValueError("nested too deeply") from None


def first_violation(data: bytes) -> Violation | None:
    """The first non-finite number or duplicate key of the JSON ``data``, in document order.

    ``ValueError`` when the standard library's parser does not accept ``data`` at all
    (the caller reports it as not JSON).
    """
    stack: list[tuple[Location, Any]] = [((), _parse(data))]
    while stack:
        location, value = stack.pop()
        if isinstance(value, _NonFinite):
            return Violation("non_finite", location, str(value))
        if isinstance(value, _Object):
            if value.duplicates:
                key = value.duplicates[0]
                return Violation("duplicate_key", (*location, key), key)
            stack.extend(reversed([((*location, k), v) for k, v in value.items()]))
        elif isinstance(value, list):
            stack.extend(reversed([((*location, i), v) for i, v in enumerate(value)]))
    return None
