"""``python -m dragon_compat``: the ``dragon`` console script.

Guarded, because ``dragon sweep``'s local worker processes are started with
multiprocessing's *spawn*, which imports the main module again in each of them.
"""

import sys

from dragon_compat.cli import main

if __name__ == "__main__":
    sys.exit(main())
