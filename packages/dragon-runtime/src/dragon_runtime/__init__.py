"""dragon-runtime: the A-share end-of-day execution loop.

Market rules, reason catalogue, payload tables, portfolio accounting, the session
loop driven by decision hooks, canonical output and the no-silent-path checker.
It knows nothing of any strategy: strategies plug in through the hooks protocol.
"""

from dragon_runtime.__about__ import __version__

__all__ = ["__version__"]
