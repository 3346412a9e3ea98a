"""The template's CloudFront function, run by Node.js as CloudFront's JavaScript runtime would
run it. Without Node.js it skips; .ci/run installs Node.js from Debian, and a skip fails CI."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

pytestmark = pytest.mark.integration


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js (apt-get install -y nodejs)")
def test_the_index_function_maps_folders_to_their_index_page(template: dict[str, Any]) -> None:
    code = template["Resources"]["SiteIndexFunction"]["Properties"]["FunctionCode"]
    uris = ["/", "/en/spring/", "/en/spring", "/theme/site.3f9a1c2b.css", "/favicon.ico"]
    script = (
        code
        + f"\nconsole.log(JSON.stringify({json.dumps(uris)}.map(u => handler({{request: {{uri: u}}}}).uri)));"
    )
    ran = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True)
    assert json.loads(ran.stdout) == [
        "/index.html",
        "/en/spring/index.html",
        "/en/spring/index.html",
        "/theme/site.3f9a1c2b.css",
        "/favicon.ico",
    ]
