"""The cost model (passaparola cost) follows the template's settings."""

from dataclasses import replace

import pytest

from passaparola_localstack import template as local_template
from passaparola_tools import cost

pytestmark = pytest.mark.unit

MEASURED = cost.Measured(
    calls=("PutItem",),
    wcu=1.0,
    answer_bytes=160,
    log_bytes=0,
    rollups=(cost.Rollup("viral", 0.008, 0.002, 0.001),),
    visit_bytes=233,
    stats_calls=("Query",) * 9,
    stats_rru=4.5,
)


def test_the_template_serves_clicks_from_a_function_url_that_logs_at_warn():
    settings = cost.settings(local_template.load())
    assert (settings.click_origin, settings.system_log_level, settings.application_log_level) == (
        "function URL",
        "WARN",
        "WARN",
    )
    assert (settings.memory_mb, settings.architecture, settings.batch_size) == (512, "arm64", 1000)
    assert "cloudfront-viewer-address" in settings.forwarded_headers


def _path(settings: cost.Settings) -> float:
    lines, _ = cost.model(settings, MEASURED)
    return sum(line.per_million for line in lines)


def test_the_http_api_and_platform_log_lines_are_priced_when_the_template_asks_for_them():
    settings = cost.settings(local_template.load())
    baseline = _path(settings)
    assert baseline == pytest.approx(2.0, abs=0.01)
    assert _path(replace(settings, click_origin="HTTP API")) == pytest.approx(baseline + 1.00)
    with_reports = _path(replace(settings, system_log_level="INFO"))
    assert with_reports - baseline == pytest.approx(cost.PLATFORM_LOG_BYTES / 1e9 * 0.5 * 1e6)


def test_the_rollups_share_adds_to_the_click_path():
    settings = cost.settings(local_template.load())
    _, ((_, added, total),) = cost.model(settings, MEASURED)
    assert total == pytest.approx(_path(settings) + added)
    assert 0 < added < 0.02


def test_kept_visits_and_stats_views_are_priced_apart_from_the_click():
    kept, views = cost.storage_and_reads(MEASURED)
    assert kept == pytest.approx(233 / 1e9 * 0.45 * 1e6)
    assert views == pytest.approx(4.5 * 0.125)
    table = cost.table(cost.settings(local_template.load()), MEASURED)
    assert "| 233 bytes | $0.10 a month per million clicks kept |" in table
    assert "9 Query" in table
