"""Handlers run from the unpacked artifact in isolated interpreters (see lambda_driver.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DRIVER = Path(__file__).with_name("lambda_driver.py")


def isolated(artifact: Path, *arguments: str) -> list[str]:
    """-I: no environment variables, user site or script folder on the path; -S: no
    site-packages. What is importable is the artifact and the standard library."""
    return [sys.executable, "-I", "-S", str(DRIVER), str(artifact), *arguments]


@dataclass
class Invocation:
    answer: Any
    calls: list[dict[str, Any]]


class ArtifactFunction:
    """One function: its handler imported once, then invoked event after event, like a warm
    Lambda sandbox, with exactly the environment given."""

    def __init__(self, artifact: Path, function: str, handler: str, environment: dict[str, str]) -> None:
        self.function = function
        self.calls: list[dict[str, Any]] = []
        self.process = subprocess.Popen(
            isolated(artifact, "serve", handler, function),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=environment,
            text=True,
        )

    def invoke(self, event: dict[str, Any]) -> Any:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(event) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise AssertionError(f"{self.function} exited with {self.process.wait()}; its stderr says why")
        reply = json.loads(line)
        if "error" in reply:
            raise AssertionError(f"{self.function} raised:\n{reply['error']}")
        self.calls += reply["calls"]
        return reply["answer"]

    def end_input(self) -> None:
        """Its last request is sent: it exits once it has answered."""
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()

    def close(self) -> None:
        self.end_input()
        self.process.wait(timeout=30)
