"""A real headless Chromium driven over the DevTools protocol (CDP), for checking what a page shows.

Enough of CDP for the evidence report's tests and screenshots: open a page, record every request it
makes, evaluate JavaScript, capture an element as PNG. The browser listens on 127.0.0.1 only, on a
port it picks itself (`--remote-debugging-port=0`, announced in DevToolsActivePort).
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

START_TIMEOUT_SECONDS = 30
CALL_TIMEOUT_SECONDS = 30


class BrowserError(RuntimeError):
    pass


def chromium_executable() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise BrowserError("no chromium on PATH: apt-get install -y chromium (.ci/run does)")


class Chromium:
    """One headless browser with one page; a context manager that always ends the browser."""

    def __init__(self, width_px: int = 1280, height_px: int = 900) -> None:
        self.width_px, self.height_px = width_px, height_px
        self.events: list[dict] = []
        self._next_id = 0

    def __enter__(self) -> Chromium:
        from websockets.sync.client import connect

        self._profile = Path(tempfile.mkdtemp(prefix="selfeval-chromium-"))
        self._process = subprocess.Popen(
            [
                chromium_executable(),
                "--headless",
                "--no-sandbox",  # tests run as root in CI
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={self._profile}",
                f"--window-size={self.width_px},{self.height_px}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            port = self._wait_for_port()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
                targets = json.load(resp)
            page = next(t for t in targets if t["type"] == "page")
            self._connection = contextlib.ExitStack()
            self._ws = self._connection.enter_context(
                connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=10)
            )
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._connection.close()
        finally:
            self._stop()

    def _stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        shutil.rmtree(self._profile, ignore_errors=True)

    def _wait_for_port(self) -> int:
        announced = self._profile / "DevToolsActivePort"
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise BrowserError(f"chromium exited at start (code {self._process.returncode})")
            if announced.exists():
                first = announced.read_text().splitlines()[:1]
                if first and first[0].isdigit():
                    return int(first[0])
            time.sleep(0.1)
        raise BrowserError(f"chromium did not open its DevTools port in {START_TIMEOUT_SECONDS} s")

    def call(self, method: str, **params) -> dict:
        """Send one CDP command and return its result; events that arrive meanwhile are kept."""
        self._next_id += 1
        call_id = self._next_id
        self._ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        deadline = time.monotonic() + CALL_TIMEOUT_SECONDS
        while True:
            message = json.loads(self._ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") == call_id:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for_event(self, method: str) -> dict:
        deadline = time.monotonic() + CALL_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            for event in self.events:
                if event.get("method") == method:
                    self.events.remove(event)
                    return event
            message = json.loads(self._ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            self.events.append(message)
        raise BrowserError(f"no {method} within {CALL_TIMEOUT_SECONDS} s")

    def open(self, url: str) -> None:
        """Load `url` with request recording on, and wait for its load event."""
        self.call("Network.enable")
        self.call("Page.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=self.width_px,
            height=self.height_px,
            deviceScaleFactor=1,
            mobile=False,
        )
        self.call("Page.navigate", url=url)
        self.wait_for_event("Page.loadEventFired")

    def requests(self) -> list[str]:
        """Every URL the page has asked for so far (documents, scripts, images, fetches)."""
        self.call("Runtime.evaluate", expression="0")  # drains events sent before now
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression[:60]}...: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def wait_until(self, expression: str, timeout_seconds: float = CALL_TIMEOUT_SECONDS):
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise BrowserError(f"not true within {timeout_seconds} s: {expression}")

    def visible_box(self, selector: str) -> dict:
        """Scroll the element into view; its box in the viewport and whether it is shown there."""
        return self.evaluate(
            f"""(() => {{
                const el = document.querySelector({json.dumps(selector)});
                if (!el) return null;
                el.scrollIntoView({{block: "start"}});
                const r = el.getBoundingClientRect(), style = getComputedStyle(el);
                return {{x: r.x, y: r.y, width: r.width, height: r.height,
                    in_viewport: r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth,
                    shown: style.display !== "none" && style.visibility !== "hidden"
                        && style.opacity !== "0"}};
            }})()"""
        )

    def screenshot(self, selector: str, out_png: Path, max_height_px: int | None = None) -> None:
        """The element (its top `max_height_px` if given) as PNG."""
        box = self.visible_box(selector)
        if box is None:
            raise BrowserError(f"no element {selector}")
        scroll_y = self.evaluate("window.scrollY")
        height = box["height"] if max_height_px is None else min(box["height"], max_height_px)
        clip = {"x": box["x"], "y": box["y"] + scroll_y, "width": box["width"], "height": height, "scale": 1}
        shot = self.call("Page.captureScreenshot", format="png", clip=clip, captureBeyondViewport=True)
        out_png.write_bytes(base64.b64decode(shot["data"]))
