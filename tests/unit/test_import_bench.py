"""`passaparola bench --only imports`: which figure each function is held to, and how a row is
judged (the timings themselves are printed, never asserted)."""

from __future__ import annotations

import pytest

from passaparola_localstack import template as local_template
from passaparola_tools import bench

pytestmark = pytest.mark.unit


def test_every_handler_is_measured_against_its_own_target() -> None:
    statements = bench._import_statements(local_template.load())
    assert statements[0] == ("import boto3", "import boto3", None)
    targets = {name: target for name, _, target in statements[1:]}
    assert len([name for name in targets if "+" not in name]) == 18
    assert targets["passaparola.handlers.record_click"] == 1.1
    assert targets["passaparola.handlers.validate_code"] == 1.2
    others = {t for name, t in targets.items() if not name.endswith(("record_click", "validate_code"))}
    assert others == {1.5}  # every other public function, and the admin functions
    assert f"{bench.SHOP_WEBHOOKS} + stripe" in targets


def test_a_row_meets_its_target_only_in_both_setups() -> None:
    base = bench.ImportRow("import boto3", "import boto3", None, dev=0.2, artifact=0.1)
    both = bench.ImportRow("m", "import m", 1.1, dev=0.21, artifact=0.105)
    only_dev = bench.ImportRow("m", "import m", 1.1, dev=0.2, artifact=0.12)
    assert both.ratios(base) == pytest.approx((1.05, 1.05))
    assert both.met(base)
    assert not only_dev.met(base)


def test_the_artifact_section_is_the_imports_table() -> None:
    assert "artifact" not in bench.SECTIONS
    assert bench.ALIASES["artifact"] == "imports"
