"""Compiling content/ into the rules file the functions read (passaparola.domain.campaign's
Rules): each campaign's rules, its words in every language (its rewards' own words too), the
brands' contact details, colours and email logo, and every currency in use with its minor
unit, so a function needs neither content/ nor Babel. Beside it, the compact click rules
(domain/click_rules.py) that the click function reads without the campaign models."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from passaparola import i18n
from passaparola.domain.campaign import CampaignText, CompiledCampaign, Rules
from passaparola.environment import click_rules_path
from passaparola_build.content import Campaign, Content, currencies_in_use, load


def _text(campaign: Campaign, lang: str) -> CampaignText:
    rules, own = campaign.rules, campaign.own_words(lang)
    return CampaignText(
        title=campaign.copies[lang].title,
        friend_offer=i18n.describe(rules.friend_reward, lang, words=own) if rules.friend_reward else None,
        referrer_offer=i18n.describe(rules.referrer_reward, lang, words=own),
        own_words=own,
    )


def compile_rules(content: Content) -> Rules:
    return Rules(
        campaigns={
            slug: CompiledCampaign(
                rules=c.rules,
                default_lang=c.default_lang,
                texts={lang: _text(c, lang) for lang in c.copies},
                variants=tuple(v.id for v in c.copies[c.default_lang].variants),
            )
            for slug, c in content.campaigns.items()
        },
        brands={
            slug: brand.for_functions(slug, content.brand_dir(slug)) for slug, brand in content.brands.items()
        },
        currency_digits=currencies_in_use(),
    )


def write_rules(rules: Rules, path: Path) -> None:
    """Write the rules, and beside them the compact click rules (config.click_rules_path), each
    atomically: a reader sees the old file or the new one, never half of one."""
    _write_atomically(click_rules_path(path), rules.click_rules().dumps())
    _write_atomically(path, json.dumps(json.loads(rules.model_dump_json()), indent=1, sort_keys=True) + "\n")


def _write_atomically(path: Path, data: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".rules-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(data)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_rules(root: Path, out: Path) -> Rules:
    """Read and check content/ at `root` (ContentError lists every problem), then write."""
    rules = compile_rules(load(root))
    write_rules(rules, out)
    return rules
