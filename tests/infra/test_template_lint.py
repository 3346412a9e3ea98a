"""cfn-lint (with the serverless rules) and checkov pass on the template, and every check the
template skips is one that would fail without the skip, with its reason written beside it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from passaparola_localstack import template as local_template
from passaparola_tools import checkov_env

pytestmark = pytest.mark.integration

TEMPLATE = local_template.TEMPLATE


def test_cfn_lint_with_the_serverless_rules_is_clean() -> None:
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    command = [str(cfn_lint), "--append-rules", "cfn_lint_serverless.rules", "--", str(TEMPLATE)]
    linted = subprocess.run(command, capture_output=True, text=True, check=False)
    assert (linted.returncode, linted.stdout + linted.stderr) == (0, "")


def _skips(template: dict[str, Any]) -> set[tuple[str, str]]:
    found = set()
    for name, resource in template["Resources"].items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert len(skip.get("comment", "").split()) >= 5, f"{name}: skip {skip['id']} needs its reason"
            found.add((skip["id"], f"{resource['Type']}.{name}"))
    return found


def _without_skips(template: dict[str, Any]) -> dict[str, Any]:
    stripped = json.loads(json.dumps(template))
    for resource in stripped["Resources"].values():
        resource.get("Metadata", {}).pop("checkov", None)
    return stripped


@pytest.fixture(scope="module")
def checkov_results(
    template: dict[str, Any], translated: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, set[tuple[str, str]]]]:
    """One checkov run over the template, its SAM expansion and the template without its
    skips: failed and skipped (check, resource) pairs of each."""
    folder = tmp_path_factory.mktemp("checkov")
    files = {
        "template": TEMPLATE,
        "translated": folder / "translated.json",
        "unskipped": folder / "unskipped.json",
    }
    files["translated"].write_text(json.dumps(translated))
    files["unskipped"].write_text(json.dumps(_without_skips(template)))
    command = [
        str(checkov_env.ensure()),
        "--framework",
        "cloudformation",
        "--skip-download",
        "--output",
        "json",
    ]
    for path in files.values():
        command += ["-f", str(path)]
    ran = subprocess.run(command, capture_output=True, text=True, check=False)
    report = json.loads(ran.stdout)
    results: dict[str, dict[str, set[tuple[str, str]]]] = {
        name: {"failed": set(), "skipped": set()} for name in files
    }
    by_file = {Path(path).name: name for name, path in files.items()}
    for outcome, key in (("failed", "failed_checks"), ("skipped", "skipped_checks")):
        for check in report["results"][key]:
            results[by_file[Path(check["file_path"]).name]][outcome].add(
                (check["check_id"], check["resource"])
            )
    return results


@pytest.mark.slow
def test_checkov_passes_on_the_template(checkov_results: dict[str, dict[str, set[tuple[str, str]]]]) -> None:
    assert checkov_results["template"]["failed"] == set()


@pytest.mark.slow
def test_checkov_passes_on_what_sam_makes_of_it(
    checkov_results: dict[str, dict[str, set[tuple[str, str]]]],
) -> None:
    """The expansion holds what SAM adds (roles, permissions, the schedule), which checkov's
    IAM checks can only see there."""
    assert checkov_results["translated"]["failed"] == set()


@pytest.mark.slow
def test_every_skip_is_needed_and_explained(
    template: dict[str, Any], checkov_results: dict[str, dict[str, set[tuple[str, str]]]]
) -> None:
    skipped = _skips(template)
    assert checkov_results["template"]["skipped"] == skipped
    assert checkov_results["unskipped"]["failed"] == skipped
