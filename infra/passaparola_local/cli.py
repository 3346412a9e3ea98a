"""The `passaparola` command: developer entry points (the README's quick start uses these)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from passaparola import content

ROOT = Path(__file__).resolve().parents[2]


def _run(*command: str) -> int:
    print(f"$ {' '.join(command)}", flush=True)
    return subprocess.run(command, cwd=ROOT, check=False).returncode


def test(args: argparse.Namespace) -> int:
    """Lint, type-check, then the whole pytest suite. Stops at the first failing step."""
    python = sys.executable
    steps = [
        (python, "-m", "ruff", "check", "functions", "infra", "site", "tests"),
        (python, "-m", "ruff", "format", "--check", "functions", "infra", "site", "tests"),
        (python, "-m", "mypy"),
        (python, "-m", "pytest", *args.pytest_args),
    ]
    for step in steps:
        code = _run(*step)
        if code:
            return code
    return 0


def rules(args: argparse.Namespace) -> int:
    """Validate content/ and write the compiled rules the functions read."""
    try:
        compiled = content.build_rules(args.content, args.out)
    except content.ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{len(compiled.campaigns)} campaigns -> {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="passaparola", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run_tests = commands.add_parser("test", help="run linters and the whole test suite")
    run_tests.add_argument("pytest_args", nargs=argparse.REMAINDER, help="passed on to pytest")
    run_tests.set_defaults(func=test)

    build_rules = commands.add_parser("rules", help="validate content/ and compile the rules file")
    build_rules.add_argument("--content", type=Path, default=ROOT / "content")
    build_rules.add_argument("--out", type=Path, default=ROOT / "functions" / "passaparola" / "rules.json")
    build_rules.set_defaults(func=rules)

    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
