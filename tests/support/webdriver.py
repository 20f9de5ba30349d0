"""A small W3C WebDriver client over chromedriver's HTTP API (no selenium needed), for tests of the review page.

:func:`offline_chromium` starts Debian's chromedriver and a headless Chromium
with the network cut (a proxy that does not exist, and DevTools' offline
mode), so a page that tried to load anything would fail to.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


class Browser:
    """One WebDriver session: open pages, find, click and type, run scripts."""

    def __init__(self, port: int, session: str) -> None:
        self._base = f"http://127.0.0.1:{port}/session/{session}"

    def command(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Send one WebDriver command; return its ``value``."""
        return _request(method, self._base + path, body)

    def open(self, url: str) -> None:
        """Load ``url`` and wait for it."""
        self.command("POST", "/url", {"url": url})

    def find(self, css: str) -> str:
        """The id of the first element matching ``css``."""
        found = self.command("POST", "/element", {"using": "css selector", "value": css})
        if not isinstance(found, dict) or ELEMENT not in found:
            raise LookupError(f"no element {css!r}: {found!r}"[:300])
        return str(found[ELEMENT])

    def click(self, element: str) -> None:
        """Click an element as a user would."""
        self.command("POST", f"/element/{element}/click", {})

    def dispatch_click(self, css: str) -> None:
        """A click event on the first element matching ``css``, sent from the page (for SVG shapes WebDriver
        cannot aim at: Graphviz's arrowheads overlap a node's centre)."""
        self.run("document.querySelector(arguments[0]).dispatchEvent(new MouseEvent('click', {bubbles: true}))", css)

    def type(self, element: str, text: str) -> None:
        """Type ``text`` into an element (``\\ue007`` is Enter)."""
        self.command("POST", f"/element/{element}/value", {"text": text})

    def text(self, css: str) -> str:
        """The visible text of the first element matching ``css``."""
        return self.command("GET", f"/element/{self.find(css)}/text")

    def run(self, script: str, *args: Any) -> Any:
        """Run JavaScript in the page; return what it returns."""
        return self.command("POST", "/execute/sync", {"script": script, "args": list(args)})


def _request(method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())["value"]
    except urllib.error.HTTPError as error:  # WebDriver answers an error with a JSON body saying what it is
        value = json.loads(error.read())["value"]
        raise RuntimeError(f"{value.get('error')}: {value.get('message', '')[:300]}") from None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def offline_chromium(chromium: str, width: int = 1400, height: int = 1000) -> Iterator[Browser]:
    """A headless Chromium driven through chromedriver, with no network; closed on exit."""
    driver = shutil.which("chromedriver")
    if driver is None:
        raise FileNotFoundError("chromedriver is not installed (apt-get install chromium-driver)")
    port = _free_port()
    process = subprocess.Popen([driver, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port)
        options = {
            "binary": chromium,
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--proxy-server=127.0.0.1:9",
                "--disable-background-networking",
                f"--window-size={width},{height}",
            ],
        }
        capabilities = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}}
        session = _request("POST", f"http://127.0.0.1:{port}/session", capabilities)["sessionId"]
        browser = Browser(port, session)
        offline = {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0}
        browser.command("POST", "/goog/cdp/execute", {"cmd": "Network.enable", "params": {}})
        browser.command("POST", "/goog/cdp/execute", {"cmd": "Network.emulateNetworkConditions", "params": offline})
        try:
            yield browser
        finally:
            browser.command("DELETE", "")
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            _request("GET", f"http://127.0.0.1:{port}/status")
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("chromedriver did not start")
