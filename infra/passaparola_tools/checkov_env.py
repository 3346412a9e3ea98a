"""checkov in a virtual environment of its own, .venv-checkov: it pins an older boto3 than the
project uses, so the two cannot share one environment."""

from __future__ import annotations

import fcntl
import subprocess
import sys
from pathlib import Path

from passaparola_build import paths

VENV = paths.ROOT / ".venv-checkov"
VERSION = "3.3.30"
CHECKOV = VENV / "bin" / "checkov"


def ensure() -> Path:
    """Create the environment when it is missing (seconds, once); when it is there, only a
    file check. The stamp is written last, so an interrupted install is redone; a process that
    finds another making it waits for that one (CI starts it beside the suite)."""
    stamp = VENV / f".installed-checkov-{VERSION}"
    if stamp.exists():
        return CHECKOV
    paths.BUILD.mkdir(parents=True, exist_ok=True)
    with (paths.BUILD / "checkov-env.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not stamp.exists():
            _install(stamp)
    return CHECKOV


def _install(stamp: Path) -> None:
    print(f"Setting up {VENV.name} (checkov {VERSION}, once)...", file=sys.stderr, flush=True)
    # uv, installed beside this interpreter by ./passaparola: seconds where pip takes 45.
    uv = str(Path(sys.executable).with_name("uv"))
    subprocess.run([uv, "venv", "--quiet", "--clear", "--python", sys.executable, str(VENV)], check=True)  # noqa: S603
    python = str(VENV / "bin" / "python")
    install = [uv, "pip", "install", "--quiet", "--python", python]
    subprocess.run([*install, f"checkov=={VERSION}"], check=True)  # noqa: S603 - a fixed install command
    stamp.touch()
