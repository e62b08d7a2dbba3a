"""``python -m dragon_compat``: the ``dragon`` console script."""

import sys

from dragon_compat.cli import main

sys.exit(main())
