"""dragon-compat: the backward-compatible RC1 surface of Dragon.

Existing pipelines import ``from dragon_compat.dragon_strategy import DragonRuleEngine``.
On import this package verifies that the installed dragon-runtime lies inside the
range pinned in its metadata, so the RC1 schema surface cannot drift silently.
"""

from dragon_compat.__about__ import __version__
from dragon_compat._runtime_pin import ensure_runtime_pin

ensure_runtime_pin()

__all__ = ["__version__"]
