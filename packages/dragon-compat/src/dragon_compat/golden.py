"""Golden guardrails (compat README, "Golden guardrails"): RC1's outputs are frozen byte for byte.

``golden/rc1/`` in the repository holds

- ``input/sample_market.parquet`` — golden's own pinned market (:data:`GOLDEN_INPUT`):
  the sample dragon-compat bundled when golden was made. Golden never reads the
  bundled sample, so recalibrating the demo sample moves no golden byte;
- ``expected/<branch>/{events.csv,trades.csv,equity.csv,summary.json}`` for the four
  branches;
- ``HASHES.json`` — ``{relative path: sha256}`` of every file above;
- ``CHANGELOG.md`` — one entry per deliberate update, with its reason.

:func:`check` recomputes every branch from the golden input through
:class:`~dragon_compat.dragon_strategy.DragonRuleEngine` and compares hashes; for
a file that differs it names the first differing row. It also checks that nobody
edited a golden file (the input included) without updating its hash, and runs the
runtime's no-silent-path checker on every branch. :func:`update` is the deliberate
way to move golden: it recomputes the expected files from golden's input (or from a
new input it copies in), rewrites the hashes, and appends the reason to the
changelog.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from dragon_compat.dragon_strategy import BRANCH_NAMES, DragonRuleEngine
from dragon_compat.errors import DragonUserError
from dragon_compat.market_input import file_sha256
from dragon_compat.writes import StagedFiles, make_dirs, remove_file
from dragon_runtime import (
    LoopResult,
    canonical_json,
    check_no_silent_paths,
    render_branch_outputs,
    sha256_hex,
)

__all__ = [
    "EDITED_BY_HAND",
    "EXIT_GOLDEN_DIFFERS",
    "GOLDEN_INPUT",
    "GOLDEN_SUBDIR",
    "GoldenProblem",
    "check",
    "expected_outputs",
    "find_golden_dir",
    "update",
]

GOLDEN_SUBDIR = Path("golden") / "rc1"
"""Where golden lives, relative to the repository root."""

GOLDEN_INPUT = "input/sample_market.parquet"
"""Golden's pinned market, relative to the golden directory."""

HASHES_FILE = "HASHES.json"
CHANGELOG_FILE = "CHANGELOG.md"
EDITED_BY_HAND = "file differs from its HASHES.json entry (edited by hand?)"
EXIT_GOLDEN_DIFFERS = 3
"""Exit code of ``dragon golden check`` when golden does not hold."""

_CHANGELOG_HEADER = (
    "# RC1 golden changelog\n\n"
    "Every deliberate change of `golden/rc1/` (`dragon golden update --reason TEXT`), "
    "newest last.\n"
)


@dataclass(frozen=True, slots=True)
class GoldenProblem:
    """One way golden does not hold: the file (relative to the golden dir) and what."""

    path: str
    problem: str
    detail: str = ""


def find_golden_dir(start: Path | None = None) -> Path:
    """``golden/rc1`` in ``start`` (default: the working directory) or a parent."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / GOLDEN_SUBDIR
        if (candidate / HASHES_FILE).is_file():
            return candidate
    raise DragonUserError(
        f"no {GOLDEN_SUBDIR}/{HASHES_FILE} in {here} or any parent directory (not inside a "
        "Dragon repository checkout)"
    )


def expected_outputs(results: Mapping[str, LoopResult]) -> dict[str, str]:
    """``{"expected/<branch>/<file>": canonical text}`` for every branch result."""
    out: dict[str, str] = {}
    for branch, result in results.items():
        texts = render_branch_outputs(
            events=result.events, trades=result.trades, equity=result.equity, summary=result.summary
        )
        for name, text in texts.items():
            out[f"expected/{branch}/{name}"] = text
    return out


def _run_golden(input_path: Path) -> dict[str, LoopResult]:
    from dragon_compat.market_input import load_market

    market = load_market(input_path)
    return DragonRuleEngine().run_all(market.bars, BRANCH_NAMES)


def _read_hashes(golden_dir: Path) -> dict[str, str]:
    path = golden_dir / HASHES_FILE
    try:
        hashes = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise DragonUserError(
            f"{path}: not a readable JSON object of sha256 hashes ({err})"
        ) from err
    if not isinstance(hashes, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and len(v) == 64 for k, v in hashes.items()
    ):
        raise DragonUserError(f"{path}: must map each golden file path to its 64-hex sha256")
    return hashes


def _first_difference(expected: str, actual: str) -> str:
    """``row N: expected … / actual …`` for the first differing line (header = row 0)."""
    old, new = expected.splitlines(), actual.splitlines()
    for number, (a, b) in enumerate(zip(old, new, strict=False)):
        if a != b:
            return f"row {number}: expected {a!r}, got {b!r}"
    if len(old) != len(new):
        longer, which = (old, "expected") if len(old) > len(new) else (new, "got")
        row = min(len(old), len(new))
        return f"row {row}: only in {which}: {longer[row]!r} ({len(old)} vs {len(new)} rows)"
    return "same rows, different bytes (line endings or trailing newline)"


def check(golden_dir: Path) -> list[GoldenProblem]:
    """Every way golden does not hold (empty = golden holds); see the module docstring."""
    hashes = _read_hashes(golden_dir)
    problems = list(_check_files(golden_dir, hashes))
    input_path = golden_dir / GOLDEN_INPUT
    if not input_path.is_file():
        return [*problems, GoldenProblem(GOLDEN_INPUT, "missing golden input")]
    results = _run_golden(input_path)
    actual = expected_outputs(results)
    for name in sorted(set(actual) | {k for k in hashes if k.startswith("expected/")}):
        problems.extend(_compare(golden_dir, name, hashes.get(name), actual.get(name)))
    for branch, result in results.items():
        violations = check_no_silent_paths(result.events, result.trades, result.equity)
        problems.extend(
            GoldenProblem(f"expected/{branch}/events.csv", "no-silent-path violation", str(v))
            for v in violations
        )
    return problems


def _check_files(golden_dir: Path, hashes: Mapping[str, str]) -> Iterator[GoldenProblem]:
    """Files on disk against HASHES.json; the input must be listed there."""
    for name, digest in sorted(hashes.items()):
        path = golden_dir / name
        if not path.is_file():
            yield GoldenProblem(name, "listed in HASHES.json but missing")
        elif file_sha256(path) != digest:
            yield GoldenProblem(name, EDITED_BY_HAND)
    if GOLDEN_INPUT not in hashes:
        yield GoldenProblem(GOLDEN_INPUT, "golden input is not listed in HASHES.json")


def _compare(
    golden_dir: Path, name: str, digest: str | None, text: str | None
) -> Iterator[GoldenProblem]:
    if text is None:
        yield GoldenProblem(name, "in HASHES.json but no longer produced")
        return
    if digest is None:
        yield GoldenProblem(name, "produced but not in HASHES.json")
        return
    if sha256_hex(text) == digest:
        return
    path = golden_dir / name
    expected = path.read_text(encoding="utf-8") if path.is_file() else ""
    yield GoldenProblem(name, "output differs from golden", _first_difference(expected, text))


def update(
    golden_dir: Path,
    reason: str,
    *,
    new_input: Path | None = None,
    today: dt.date | None = None,
) -> list[str]:
    """Regenerate golden; returns the paths whose hash changed.

    The expected files are recomputed from golden's own input, or — with
    ``new_input`` — from that file, whose bytes become the new input (the way to
    re-pin golden on another market, e.g. a regenerated bundled sample). Everything
    is computed before the first file is written, and every file is written in full
    before any is replaced (:class:`~dragon_compat.writes.StagedFiles`): a failed write
    (``cannot write PATH: REASON``, exit 2) leaves golden as it was.
    The reason is appended to ``CHANGELOG.md`` with the date and the changed paths.
    Raises :class:`DragonUserError` without a reason, or without an input.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise DragonUserError("golden update needs a non-empty --reason")
    make_dirs(golden_dir)
    hashes_path = golden_dir / HASHES_FILE
    old = _read_hashes(golden_dir) if hashes_path.is_file() else {}

    source = golden_dir / GOLDEN_INPUT if new_input is None else Path(new_input)
    if not source.is_file():
        raise DragonUserError(
            f"{source}: no golden input to recompute from; pass --input FILE (a market file)"
        )
    input_bytes = source.read_bytes()
    texts = expected_outputs(_run_golden(source))
    new = {GOLDEN_INPUT: sha256_hex(input_bytes)}
    new.update({name: sha256_hex(text) for name, text in texts.items()})
    changed = sorted(name for name in set(old) | set(new) if old.get(name) != new.get(name))

    changelog = golden_dir / CHANGELOG_FILE
    entry = _changelog_text(changelog, reason, changed, today or dt.date.today())
    files: dict[str, bytes | str] = {GOLDEN_INPUT: input_bytes, **texts}
    with StagedFiles() as staged:  # every file written in full before any is replaced
        for name, data in files.items():
            make_dirs((golden_dir / name).parent)
            staged.stage(golden_dir / name, data)
        staged.stage(hashes_path, canonical_json(new))
        staged.stage(changelog, entry)
        for stale in set(old) - set(new):
            remove_file(golden_dir / stale)
        staged.commit()
    return changed


def _changelog_text(path: Path, reason: str, changed: list[str], today: dt.date) -> str:
    """``CHANGELOG.md`` with this update's entry appended."""
    text = path.read_text(encoding="utf-8") if path.is_file() else _CHANGELOG_HEADER
    files = "\n".join(f"  - `{name}`" for name in changed) or "  - (no file changed)"
    return text + f"\n## {today.isoformat()}\n\n{reason}\n\nChanged:\n{files}\n"
