"""`passaparola bench timing`: how a route's figures are judged, and the admins it adds to
know as many as it asks for (the times themselves are printed, never asserted)."""

from __future__ import annotations

import pytest

from passaparola.domain.campaign import Rules
from passaparola_tools import timing

pytestmark = pytest.mark.unit


def test_a_route_meets_the_target_only_within_ten_percent_either_way() -> None:
    close = timing.Row(
        "/me/link", known=0.0110, unknown=0.0100, links_to_known=55, links_to_unknown=0, requests=50
    )
    slower_unknown = timing.Row("/me/link", 0.0100, 0.0111, 55, 0, 50)
    assert close.ratio == pytest.approx(1.10)
    assert close.met
    assert not slower_unknown.met
    (_, line, verdict) = timing.report([close])
    assert "55 of 55 known, 0 unknown" in line
    assert verdict.endswith("target met")


def test_the_bench_adds_an_admin_for_every_known_request(rules_path) -> None:
    rules = Rules.model_validate_json(rules_path.read_bytes())
    edited = timing._with_admins(3)(rules)
    assert edited.admins == rules.admins | {"admin0@timing.test", "admin1@timing.test", "admin2@timing.test"}
