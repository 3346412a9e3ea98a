"""A bad campaign or brand file stops the build with its file, field and reason, the plain
`pelican` command exits non-zero, and no rules are written."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from passaparola_build import content
from passaparola_tools import cli
from tests.site.helpers import SETTINGS, edit

pytestmark = pytest.mark.site


def test_a_bad_campaign_file_stops_the_build_with_file_field_and_reason(build, tree, tmp_path):
    edit(tree / "campaigns/spring.md", "hold_days: 14", "hold_days: fourteen")
    rules = tmp_path / "rules.json"
    with pytest.raises(content.ContentError) as raised:
        build(tree, PASSAPAROLA_RULES_PATH=str(rules))
    ((problem),) = raised.value.problems
    assert (problem.file.name, problem.field) == ("spring.md", "hold_days")
    assert "valid integer" in problem.reason
    assert not rules.exists()


def test_unreadable_brand_colours_stop_the_build(build, tree):
    edit(tree / "brands/acme.yaml", 'accent: "#f3e3d3"', 'accent: "#7a4a2a"')
    with pytest.raises(content.ContentError) as raised:
        build(tree)
    ((problem),) = raised.value.problems
    assert (problem.file.name, problem.field) == ("acme.yaml", "colours")
    assert "text on accent" in problem.reason and "WCAG AA" in problem.reason


def test_a_second_brand_stops_the_build_and_no_rules_are_written(build, tree, tmp_path):
    (tree / "brands/zeta.yaml").write_text(
        "name: Zeta\nstore_url: https://z.example/\ncontact: hi@z.example\n"
        "colours: {primary: '#1a4d8f', on_primary: '#ffffff', background: '#ffffff', text: '#111111'}\n"
    )
    rules = tmp_path / "rules.json"
    with pytest.raises(content.ContentError) as raised:
        build(tree, PASSAPAROLA_RULES_PATH=str(rules))
    (problem,) = raised.value.problems
    assert (problem.file.name, problem.field) == ("zeta.yaml", "(file)")
    assert "brands/zeta.yaml is a second brand beside brands/acme.yaml" in problem.reason
    assert not rules.exists()


def test_the_pelican_command_exits_non_zero_and_says_where(tree, tmp_path):
    edit(tree / "campaigns/club.md", "channels: [copy, native", "channels: [copy, pigeon")
    finished = subprocess.run(
        [
            *(sys.executable, "-m", "pelican", str(tree), "-s", str(SETTINGS), "-o", str(tmp_path / "out")),
            *("-e", "PASSAPAROLA_RULES_PATH=null", "--log-handler", "plain"),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"COLUMNS": "250"},
    )
    assert finished.returncode != 0
    said = finished.stdout + finished.stderr
    assert f"{tree / 'campaigns' / 'club.md'}: channels.1: Input should be 'copy'" in said


def test_the_site_command_reports_problems_without_a_traceback(tree, tmp_path, capsys):
    edit(tree / "campaigns/spring.it.md", "title: Regala", "hold_days: 3\ntitle: Regala")
    code = cli.main(["site", "--out", str(tmp_path / "out"), "--content", str(tree), "--no-rules"])
    assert code == 1
    err = capsys.readouterr().err
    assert "spring.it.md: hold_days: rules belong in the default-language file spring.md" in err
    assert "Traceback" not in err


def test_the_site_command_builds_pages_and_rules(tmp_path, capsys):
    rules = tmp_path / "rules.json"
    code = cli.main(
        ["site", "--out", str(tmp_path / "out"), "--rules", str(rules), "--api-url", "https://api.x.example"]
    )
    assert code == 0
    assert (tmp_path / "out" / "en" / "spring" / "index.html").is_file()
    assert rules.is_file()
    assert "pages ->" in capsys.readouterr().out
