"""Tests for Dragon v2 (tests/compat)."""
