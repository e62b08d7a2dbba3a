"""``python -m dragon_governance``: the ``dragon-governance`` console script."""

import sys

from dragon_governance.cli import main

sys.exit(main())
