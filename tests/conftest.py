"""Suite-wide test configuration.

Hypothesis runs derandomized (a fixed seed per test) so that the suite is
replayable: a failure found once is found again on every machine.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "dragon",
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("dragon")
