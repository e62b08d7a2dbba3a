"""Names that load on first use: the one lazy-import helper of dragon-governance.

``import dragon_governance`` and ``dragon-governance --help`` stay standard-library
only; pydantic, rich and exchange_calendars load when a name that needs them is
first used. Packages declare ``name -> defining module`` tables and get their
module ``__getattr__``/``__dir__`` (PEP 562) from :func:`lazy_exports`;
:func:`import_attribute` is the lookup both use.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["import_attribute", "lazy_exports"]


def import_attribute(module_name: str, name: str) -> Any:
    """``name`` from ``module_name``, importing the module if needed.

    ``ModuleNotFoundError`` for an unknown module, ``AttributeError`` for a name
    the module does not define.
    """
    return getattr(importlib.import_module(module_name), name)


def lazy_exports(
    package: str, exports: Mapping[str, str], public: Sequence[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for module ``package`` (a PEP 562 lazy namespace).

    ``__getattr__(name)`` imports ``exports[name]``, binds the value in ``package``
    (so each name is imported once) and returns it; a name not in ``exports`` raises
    ``AttributeError`` like a plain module. ``__dir__()`` lists ``public``.
    """

    def __getattr__(name: str) -> Any:
        module_name = exports.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = import_attribute(module_name, name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return list(public)

    return __getattr__, __dir__
