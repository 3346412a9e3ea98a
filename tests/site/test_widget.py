"""/widget.js, as the build writes it: every campaign's words in each of its languages, its
brand's colours, and a script that never parses HTML or styles by attribute (a shop's strict
CSP would refuse either)."""

from __future__ import annotations

import json
import re

import pytest

from passaparola import i18n
from passaparola_pages.widget import DATA_MARK, widget_script

pytestmark = pytest.mark.site

SINKS = (
    "innerHTML",
    "outerHTML",
    "insertAdjacentHTML",
    "document.write",
    "eval(",
    "new Function",
    ".style",
    "setAttribute('style'",
)


def _data(source: str) -> dict:
    found = re.search(r"const DATA = (\{.*\});\n", source)
    assert found, "the data did not go in"
    data: dict = json.loads(found.group(1))
    return data


def test_the_widget_holds_each_campaigns_words_and_its_brands_colours(sample_site):
    data = _data((sample_site / "widget.js").read_text(encoding="utf-8"))
    assert data["api"] == ""  # the API on the script's own origin
    spring = data["campaigns"]["spring"]
    assert (spring["brand"], spring["lang"]) == ("acme", "en")
    assert set(spring["words"]) == {"en", "it", "fr", "pl", "ru"}
    assert spring["words"]["it"]["title"].startswith("Regala")
    assert spring["words"]["it"]["offer"] == "10\xa0€ di credito in negozio"
    assert data["brands"]["acme"]["colours"]["primary"] == "#8a3b12"
    assert set(data["texts"]) == {"en", "it", "fr", "pl", "ru"}
    assert data["texts"]["pl"]["submit"] == i18n.text("pl", "site.invite.form.submit")
    # every error POST /referrers names has its words, in every language
    for name, key in data["errors"].items():
        assert all(texts[key] for texts in data["texts"].values()), name


def test_the_widget_parses_no_html_and_sets_no_style_attribute(sample_site):
    script = (sample_site / "widget.js").read_text(encoding="utf-8")
    code = script.replace(
        json.dumps(_data(script), ensure_ascii=False, separators=(",", ":"), sort_keys=True), ""
    )
    assert [sink for sink in SINKS if sink in code] == []


def test_the_widgets_data_cannot_close_a_script_element():
    built = widget_script(f"const DATA = {DATA_MARK};", {"words": "</script><img src=x>"}).decode()
    assert "</script>" not in built
    assert json.loads(built.removeprefix("const DATA = ").removesuffix(";")) == {
        "words": "</script><img src=x>"
    }


def test_a_widget_script_without_its_data_mark_is_refused():
    with pytest.raises(ValueError, match="DATA"):
        widget_script("const DATA = {};", {})
