"""Tests for Dragon v2 (tests/compat/monitor): unit tests of dragon_compat.monitor."""
