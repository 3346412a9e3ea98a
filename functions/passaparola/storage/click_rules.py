"""Reading the compact click rules the build writes beside the rules file."""

from __future__ import annotations

from pathlib import Path

from passaparola.domain.click_rules import ClickRules
from passaparola.environment import ConfigError, click_rules_path


def read_click_rules(rules_path: Path) -> ClickRules:
    """The click rules beside `rules_path`. Rules written without them (by hand, or by an older
    build) are read whole, with the campaign models: slower, and the same answers."""
    try:
        return ClickRules.loads(click_rules_path(rules_path).read_bytes())
    except FileNotFoundError:
        pass
    from passaparola.domain.campaign import Rules

    try:
        return Rules.model_validate_json(rules_path.read_bytes()).click_rules()
    except FileNotFoundError:
        raise ConfigError(f"no compiled rules at {rules_path}; run the build (passaparola build)") from None
