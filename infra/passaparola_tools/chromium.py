"""Debian's Chromium for the browser tests (Playwright drives it; it cannot download its own)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Flags for a headless browser in a closed network: no sandbox (we run as root in CI), and no
# background calls home, which would be refused here and slow every start.
ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def ensure() -> None:
    """Install Debian's chromium when it is missing and we may (root, apt); else say how."""
    if CHROMIUM.exists():
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit("The browser tests need Debian's chromium: sudo apt-get install -y chromium")
    print("Installing Debian's chromium for the browser tests...", flush=True)
    environment = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=environment)  # noqa: S607 - apt from PATH
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=environment)  # noqa: S607
