"""How the business's routes show records: money to the currency's minor unit, times in ISO
8601, rewards with their opaque ids. Shared by the reads and the actions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from passaparola import config
from passaparola.api.admin_schemas import AdminRewardOut, FulfilmentOut, OwnerOut
from passaparola.domain.admin import public_reward_id
from passaparola.domain.errors import InvalidInput
from passaparola.domain.records import Reward


def amount(value: Decimal | None, currency: str | None) -> str | None:
    if value is None:
        return None
    digits = config.rules().digits(currency) if currency else 2
    return str(value.quantize(Decimal(1).scaleb(-digits)))


def money(values: Mapping[str, Decimal]) -> dict[str, str]:
    return {currency: amount(value, currency) or "0" for currency, value in values.items()}


def day(text: str | None, name: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise InvalidInput(f"{name}: {text!r} is not a day of the calendar") from None


def time(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def admin_reward(reward: Reward) -> AdminRewardOut:
    from passaparola import i18n  # the words of rewards (and Babel): only for a list of them

    campaign = config.rules().campaign(reward.campaign)
    lang = campaign.default_lang if campaign else i18n.DEFAULT
    fulfilment = reward.fulfilment
    return AdminRewardOut(
        id=public_reward_id(reward.ref),
        campaign=reward.campaign,
        role=reward.role,
        kind=reward.kind,
        description=i18n.describe(reward.spec, lang, reward.value, reward.currency),
        status=reward.status,
        value=amount(reward.value, reward.currency),
        currency=reward.currency,
        owner=OwnerOut(kind=reward.owner.kind, code=reward.code),
        order_id=reward.order_id,
        created_at=time(reward.created_at) or "",
        issued_at=time(reward.issued_at),
        fulfilment=FulfilmentOut(
            reference=fulfilment.reference, at=time(fulfilment.at) or "", by=fulfilment.by
        )
        if fulfilment
        else None,
    )
