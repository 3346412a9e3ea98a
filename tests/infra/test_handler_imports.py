"""What each function loads when Lambda imports its handler, checked in a fresh interpreter
(`python -I`: no site customisation, no PYTHONPATH, as a cold start sees it): the click function,
the busiest, loads no pydantic, no asyncio and no powertools event handler. A structural check
of sys.modules, not a timing (`passaparola bench --only imports` prints the timings)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from passaparola_localstack import template as local_template
from tests.support import ROOT

pytestmark = pytest.mark.integration

CLICK_HANDLER = "passaparola.handlers.record_click"
# Top-level packages, or one package's subpackage, that the click handler must not load.
NOT_FOR_A_CLICK = ("pydantic", "pydantic_core", "asyncio", "aws_lambda_powertools.event_handler")

_DRIVER = """
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
loaded = {}
for module in json.loads(sys.argv[2]):
    before = set(sys.modules)
    importlib.import_module(module)
    loaded[module] = sorted(set(sys.modules) - before)
print(json.dumps(loaded))
"""


def _handler_modules(template: dict[str, Any]) -> list[str]:
    functions = local_template.functions(template)
    return sorted({local_template.handler_of(template, f).rpartition(".")[0] for f in functions})


def _loaded(*modules: str) -> dict[str, list[str]]:
    """What importing each module loaded that was not loaded before, in one fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-I", "-c", _DRIVER, str(ROOT / "functions"), json.dumps(modules)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    loaded: dict[str, list[str]] = json.loads(done.stdout)
    return loaded


def _forbidden(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == bad or m.startswith(f"{bad}.") for bad in NOT_FOR_A_CLICK)]


def test_the_click_handler_loads_no_pydantic_asyncio_or_event_handler(template: dict[str, Any]) -> None:
    handlers = _handler_modules(template)
    assert CLICK_HANDLER in handlers
    # The click handler first, in an interpreter of its own; then every other, after it.
    loaded = _loaded(CLICK_HANDLER, *(h for h in handlers if h != CLICK_HANDLER))
    assert sorted(loaded) == handlers
    click = loaded[CLICK_HANDLER]
    assert CLICK_HANDLER in click
    assert _forbidden(click) == []
    # The other handlers, imported after it, do load what it must not: the check would see it.
    everything = {m for modules in loaded.values() for m in modules}
    assert {"pydantic", "aws_lambda_powertools.event_handler"} <= everything


def test_the_check_sees_the_modules_it_forbids() -> None:
    # The response models and the resolver, as the HTTP API's functions import them.
    loaded = _loaded("passaparola.api.schemas", "aws_lambda_powertools.event_handler")
    forbidden = set(_forbidden([m for modules in loaded.values() for m in modules]))
    assert {"pydantic", "asyncio", "aws_lambda_powertools.event_handler"} <= forbidden
