"""What the click function reads of its environment, without pydantic (config.Settings is the
full, checked model every other function reads): the click path imports only what one
redirect and one conditional PutItem need."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

BUNDLED_RULES = Path(__file__).with_name("rules.json")  # the artifact's copy; local runs set RULES_PATH
LIMIT = r"^[1-9][0-9]{0,8}/[1-9][0-9]{0,5}$"
URL = r"^https?://"


class ConfigError(RuntimeError):
    pass


def click_rules_path(rules_path: Path) -> Path:
    """The compact click rules the build writes beside the rules file (rules.json: rules.clicks.json)."""
    return rules_path.with_suffix(".clicks.json")


@dataclass(frozen=True)
class ClickEnvironment:
    table_name: str
    site_url: str
    api_url: str
    rules_path: Path
    visitor_salt_secret_id: str
    click_rate_limit: str

    @classmethod
    def read(cls, environ: Mapping[str, str] = os.environ) -> ClickEnvironment:
        """The click function's variables, checked as config.Settings checks them."""

        def variable(name: str, pattern: str | None = None) -> str:
            value = environ.get(name)
            if not value:
                raise ConfigError(f"environment variable {name} is not set for this function")
            if pattern and not re.match(pattern, value):
                raise ConfigError(f"bad function environment: {name} should match {pattern!r}")
            return value

        return cls(
            table_name=variable("TABLE_NAME"),
            site_url=variable("SITE_URL", URL),
            api_url=variable("API_URL", URL),
            rules_path=Path(environ.get("RULES_PATH") or BUNDLED_RULES),
            visitor_salt_secret_id=variable("VISITOR_SALT_SECRET_ID"),
            click_rate_limit=variable("CLICK_RATE_LIMIT", LIMIT),
        )
