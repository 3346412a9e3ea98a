"""The environment a function runs in, read and checked once per cold start, and the compiled
rules. Nothing here imports pydantic until a function asks for its settings or its rules: the
click function reads neither (environment.py, domain/click_rules.py)."""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

from passaparola.environment import BUNDLED_RULES, ConfigError, click_rules_path

if TYPE_CHECKING:
    from passaparola.domain.campaign import Rules
    from passaparola.settings import Settings

__all__ = ["BUNDLED_RULES", "ConfigError", "click_rules_path", "rules", "settings"]


@cache
def settings() -> Settings:
    from pydantic import ValidationError

    from passaparola.settings import Settings

    try:
        return Settings.model_validate(os.environ)
    except ValidationError as exc:
        raise ConfigError(f"bad function environment: {exc}") from exc


@cache
def rules() -> Rules:
    # The campaign models are imported with the rules they validate, on the first request.
    from passaparola.domain.campaign import Rules

    path = settings().rules_path
    try:
        return Rules.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise ConfigError(f"no compiled rules at {path}; run the build (passaparola build)") from None
