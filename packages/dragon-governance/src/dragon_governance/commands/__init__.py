"""Subcommands of the ``dragon-governance`` console script (see :mod:`dragon_governance.cli`)."""
