"""Where the build reads and writes: content/ in, .build/ out. .build/ is ignored by git;
nothing the build makes is written into functions/ (the Lambda artifact copies the compiled
rules in; see passaparola_tools.artifact)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
BUILD = ROOT / ".build"
# The compiled campaign rules for local use (`passaparola rules`, `passaparola site`, plain
# `pelican`); the functions find them through RULES_PATH.
RULES = BUILD / "rules.json"
