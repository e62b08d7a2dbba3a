"""The ``dragon`` CLI's shape: light to start, presentation in one module."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import dragon_compat

PACKAGE = Path(dragon_compat.__file__).parent
RICH_IMPORT = re.compile(r"^\s*(?:from|import) rich\b", re.MULTILINE)


def test_help_imports_neither_rich_pandas_pyarrow_nor_the_runtime():
    code = (
        "import sys\n"
        "from dragon_compat.cli import build_parser\n"
        "build_parser().format_help()\n"
        "heavy = ('rich', 'pandas', 'numpy', 'pyarrow', 'dragon_runtime', 'exchange_calendars',\n"
        "         'shtab')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert done.stdout.strip() == b"[]"


def test_only_the_render_module_imports_rich():
    importers = {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if RICH_IMPORT.search(path.read_text(encoding="utf-8"))
    }
    assert importers == {"render.py"}
