"""Open a report in headless Chromium and check that every chart rendered.

A small Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (the
browser reads JSON messages, each ended by a NUL byte, on its fd 3 and writes them
on fd 4): standard library only, no browser download, no port. It drives the
system's Chromium (Debian's ``chromium`` package, ``/usr/bin/chromium``; override
with ``DRAGON_CHROMIUM``) with the flags a headless run as root needs.

:func:`check_report` loads the page from its file, waits until every chart listed in
``<meta name="dragon-report-charts">`` holds an SVG or canvas of non-zero size,
collects console errors, uncaught exceptions and any request that is not for a
local file, and saves a full-page PNG screenshot. The result says what it saw; it
raises :class:`BrowserError` only when the browser cannot be started or driven.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dragon_compat.report.html import CHARTS_META

CHROMIUM_ENV = "DRAGON_CHROMIUM"
"""Environment variable naming the Chromium executable to use."""

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""Executables looked for on ``PATH`` when ``DRAGON_CHROMIUM`` is not set."""

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
)
"""Flags for a headless Chromium that may run as root and must not phone home."""

INSTALL_HINT = "install Debian's chromium (`apt-get install -y chromium`) or set DRAGON_CHROMIUM"

VIEWPORT = (1280, 900)
"""Width and height (CSS pixels) the page is laid out at."""

_CHARTS_SCRIPT = f"""
(() => {{
  const meta = document.querySelector('meta[name="{CHARTS_META}"]');
  const ids = meta ? meta.content.split(' ').filter(Boolean) : [];
  return JSON.stringify(ids.map((id) => {{
    const div = document.getElementById(id);
    let width = 0, height = 0;
    if (div) {{
      for (const el of div.querySelectorAll('svg.main-svg, canvas')) {{
        const box = el.getBoundingClientRect();
        width = Math.max(width, box.width);
        height = Math.max(height, box.height);
      }}
    }}
    return {{id, found: !!div, width, height}};
  }}));
}})()
"""


class BrowserError(RuntimeError):
    """Chromium is missing, would not start, or stopped answering."""


@dataclass(frozen=True)
class ChartBox:
    """A chart div and the size of its largest SVG/canvas (CSS pixels; 0 = nothing drawn)."""

    id: str
    found: bool
    width: float
    height: float

    @property
    def rendered(self) -> bool:
        return self.found and self.width > 0 and self.height > 0


@dataclass(frozen=True)
class BrowserCheck:
    """What the browser saw: the charts, console errors, remote requests, the screenshot."""

    charts: tuple[ChartBox, ...]
    console_errors: tuple[str, ...]
    remote_requests: tuple[str, ...]
    screenshot: Path
    browser: str

    @property
    def ok(self) -> bool:
        """Every chart drew something, nothing was logged as an error, nothing fetched."""
        return (
            bool(self.charts)
            and all(chart.rendered for chart in self.charts)
            and not self.console_errors
            and not self.remote_requests
        )

    def problems(self) -> list[str]:
        """Human-readable reasons why :attr:`ok` is False (empty when it is True)."""
        found = [
            f"chart {c.id} did not render ({c.width}x{c.height})"
            for c in self.charts
            if not c.rendered
        ]
        if not self.charts:
            found.append(f"the page lists no charts in <meta name={CHARTS_META!r}>")
        found += [f"console error: {message}" for message in self.console_errors]
        found += [f"remote request: {url}" for url in self.remote_requests]
        return found


def find_chromium() -> str:
    """The Chromium executable: ``$DRAGON_CHROMIUM`` or the first of :data:`CHROMIUM_NAMES`."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        if shutil.which(named) is None:
            raise BrowserError(f"{CHROMIUM_ENV}={named!r} is not an executable; {INSTALL_HINT}")
        return named
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserError(f"no Chromium found on PATH ({', '.join(CHROMIUM_NAMES)}); {INSTALL_HINT}")


class _Pipe:
    """CDP over the two pipes of ``--remote-debugging-pipe``."""

    def __init__(self, to_browser: int, from_browser: int, process: subprocess.Popen[bytes]):
        self._out = to_browser
        self._in = from_browser
        self._process = process
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("Chromium did not answer in time")
            ready, _, _ = select.select([self._in], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium closed the pipe (exit {self._process.poll()})")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        session: str | None = None,
        timeout: float = 30.0,
    ) -> dict[str, Any]:
        """Send one command and return its result (events that arrive meanwhile are kept)."""
        self._next_id += 1
        message: dict[str, Any] = {
            "id": self._next_id,
            "method": method,
            "params": dict(params or {}),
        }
        if session is not None:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method: str, *, timeout: float = 30.0) -> dict[str, Any]:
        """The first event called ``method`` (already received or still to come)."""
        for event in self.events:
            if event["method"] == method:
                return event
        deadline = time.monotonic() + timeout
        while True:
            event = self._read_message(deadline)
            if "method" in event:
                self.events.append(event)
                if event["method"] == method:
                    return event


def _launch(executable: str, profile: Path) -> tuple[subprocess.Popen[bytes], _Pipe, Path]:
    to_read, to_write = os.pipe()  # browser reads commands on its fd 3
    from_read, from_write = os.pipe()  # browser writes replies on its fd 4

    def wire() -> None:  # runs in the child, before exec
        read_end, write_end = os.dup(to_read), os.dup(from_write)
        os.dup2(read_end, 3)
        os.dup2(write_end, 4)

    log = profile / "chromium.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile / 'profile'}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=stderr,
            stderr=stderr,
            close_fds=False,
            preexec_fn=wire,  # noqa: PLW1509 — the fds must be 3 and 4 exactly
        )
    os.close(to_read)
    os.close(from_write)
    return process, _Pipe(to_write, from_read, process), log


def _console_errors(events: list[dict[str, Any]]) -> list[str]:
    errors = []
    for event in events:
        params = event.get("params", {})
        if event["method"] == "Runtime.consoleAPICalled" and params.get("type") in (
            "error",
            "assert",
        ):
            text = " ".join(
                str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", [])
            )
            errors.append(text)
        elif event["method"] == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            errors.append(
                str(details.get("exception", {}).get("description") or details.get("text"))
            )
        elif (
            event["method"] == "Log.entryAdded" and params.get("entry", {}).get("level") == "error"
        ):
            errors.append(str(params["entry"].get("text")))
    return errors


def _remote_requests(events: list[dict[str, Any]]) -> list[str]:
    urls = (
        event.get("params", {}).get("request", {}).get("url", "")
        for event in events
        if event["method"] == "Network.requestWillBeSent"
    )
    return [url for url in urls if not url.startswith(("file:", "data:", "about:", "blob:"))]


def check_report(
    page: Path, screenshot: Path, *, executable: str | None = None, timeout: float = 60.0
) -> BrowserCheck:
    """Load ``page`` in headless Chromium, check its charts, save a PNG to ``screenshot``."""
    executable = executable or find_chromium()
    page = Path(page).resolve()
    with tempfile.TemporaryDirectory(prefix="dragon-chromium-") as scratch:
        process, pipe, log = _launch(executable, Path(scratch))
        try:
            return _drive(pipe, page, Path(screenshot), executable, timeout)
        except BrowserError as err:
            detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise BrowserError(f"{err}\n--- chromium log (tail) ---\n{detail}") from None
        finally:
            with contextlib.suppress(BrowserError, OSError):
                pipe.call("Browser.close", timeout=5)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _drive(
    pipe: _Pipe, page: Path, screenshot: Path, executable: str, timeout: float
) -> BrowserCheck:
    version = pipe.call("Browser.getVersion", timeout=timeout).get("product", executable)
    target = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = pipe.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        pipe.call(f"{domain}.enable", session=session)
    width, height = VIEWPORT
    pipe.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        session=session,
    )
    pipe.events.clear()  # only what the report's page does counts
    pipe.call("Page.navigate", {"url": page.as_uri()}, session=session, timeout=timeout)
    pipe.wait_for("Page.loadEventFired", timeout=timeout)
    deadline = time.monotonic() + timeout
    while True:
        result = pipe.call(
            "Runtime.evaluate",
            {"expression": _CHARTS_SCRIPT, "returnByValue": True},
            session=session,
        )
        boxes = tuple(ChartBox(**box) for box in json.loads(result["result"]["value"]))
        if all(box.rendered for box in boxes) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    metrics = pipe.call("Page.getLayoutMetrics", session=session)
    content = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = pipe.call(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": content["height"], "scale": 1},
        },
        session=session,
        timeout=timeout,
    )
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    screenshot.write_bytes(base64.b64decode(shot["data"]))
    return BrowserCheck(
        charts=boxes,
        console_errors=tuple(_console_errors(pipe.events)),
        remote_requests=tuple(_remote_requests(pipe.events)),
        screenshot=screenshot,
        browser=str(version),
    )
