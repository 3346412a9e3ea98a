"""What `serve` prints of the limits in force: every route's, and the per-address one."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from passaparola_localstack import console, template

pytestmark = pytest.mark.unit


def test_serve_prints_every_limit_the_template_sets():
    defaults = {name: p.get("Default") for name, p in template.load()["Parameters"].items()}
    local = SimpleNamespace(stack=SimpleNamespace(ref=defaults.__getitem__))
    line = console._limits(local)  # type: ignore[arg-type]
    for name, value in defaults.items():
        if name.endswith("RateLimit") and name not in ("ApiRateLimit", "WafRateLimit"):
            assert f"{value} s" in line, name
    assert line.endswith("data links and sign-in 3/3600 s per address")
    assert "data links 5/60 s" in line and "sign-in 5/60 s" in line
