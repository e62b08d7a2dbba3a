"""Subcommands of the ``dragon`` console script (see :mod:`dragon_compat.cli`)."""
