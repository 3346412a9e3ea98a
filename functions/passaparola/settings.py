"""The environment a function runs in, as a checked model (config.settings() reads it once
per cold start). The click function reads its few variables without it (environment.py)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from passaparola.environment import BUNDLED_RULES, LIMIT, URL, ConfigError


class Settings(BaseModel):
    """Each function is given only the variables it needs; `require` names a missing one."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    table_name: str = Field(alias="TABLE_NAME")
    site_url: str = Field(alias="SITE_URL", pattern=URL)
    api_url: str = Field(alias="API_URL", pattern=URL)
    rules_path: Path = Field(alias="RULES_PATH", default=BUNDLED_RULES)
    reward_queue_url: str | None = Field(alias="REWARD_QUEUE_URL", default=None)
    mail_from: str | None = Field(alias="MAIL_FROM", default=None)
    link_queue_url: str | None = Field(alias="LINK_QUEUE_URL", default=None)
    event_queue_url: str | None = Field(alias="EVENT_QUEUE_URL", default=None)
    # A JSON map {endpoint id: whsec_...}: each endpoint's signing secret.
    outgoing_webhook_secrets_id: str | None = Field(alias="OUTGOING_WEBHOOK_SECRETS_ID", default=None)
    # The first retry of an event delivery waits this long; each next one twice as long.
    event_retry_seconds: int = Field(alias="EVENT_RETRY_SECONDS", default=30, ge=0, le=3600)
    webhook_secret_id: str | None = Field(alias="WEBHOOK_SECRET_ID", default=None)
    # The shop platforms' own signing secrets, and a Stripe API key to read promotion codes.
    stripe_secret_id: str | None = Field(alias="STRIPE_SECRET_ID", default=None)
    shopify_secret_id: str | None = Field(alias="SHOPIFY_SECRET_ID", default=None)
    woocommerce_secret_id: str | None = Field(alias="WOOCOMMERCE_SECRET_ID", default=None)
    stripe_api_key_secret_id: str | None = Field(alias="STRIPE_API_KEY_SECRET_ID", default=None)
    stripe_api_url: str = Field(alias="STRIPE_API_URL", default="https://api.stripe.com", pattern=URL)
    # WooCommerce's REST API key (`ck_...:cs_...`), to create friends' coupons; and where the
    # shop's API is when not at the brand file's address (the local stack's stand-in).
    woocommerce_api_key_secret_id: str | None = Field(alias="WOOCOMMERCE_API_KEY_SECRET_ID", default=None)
    # Shopify's Admin API access token (shpat_..., scope write_discounts), for the same.
    shopify_api_key_secret_id: str | None = Field(alias="SHOPIFY_API_KEY_SECRET_ID", default=None)
    shop_api_url: str | None = Field(alias="SHOP_API_URL", default=None, pattern=URL)
    # Tremendous's API key, to pay referrers' cash, gift cards and donations; and its API (its
    # sandbox, https://testflight.tremendous.com, to try it; the local stack's stand-in).
    tremendous_api_key_secret_id: str | None = Field(alias="TREMENDOUS_API_KEY_SECRET_ID", default=None)
    tremendous_api_url: str = Field(
        alias="TREMENDOUS_API_URL", default="https://api.tremendous.com", pattern=URL
    )
    stats_key_secret_id: str | None = Field(alias="STATS_KEY_SECRET_ID", default=None)
    unsubscribe_key_secret_id: str | None = Field(alias="UNSUBSCRIBE_KEY_SECRET_ID", default=None)
    visitor_salt_secret_id: str | None = Field(alias="VISITOR_SALT_SECRET_ID", default=None)
    fraud_pepper_secret_id: str | None = Field(alias="FRAUD_PEPPER_SECRET_ID", default=None)
    customer_marker_days: int = Field(alias="CUSTOMER_MARKER_DAYS", default=730, ge=1, le=36500)
    origin_secret_id: str | None = Field(alias="ORIGIN_VERIFY_SECRET_ID", default=None)
    admin_keys_secret_id: str | None = Field(alias="ADMIN_KEYS_SECRET_ID", default=None)
    admin_session_key_secret_id: str | None = Field(alias="ADMIN_SESSION_KEY_SECRET_ID", default=None)
    stats_link_days: int = Field(alias="STATS_LINK_DAYS", default=90, ge=1)
    # Per-client limits, "<requests>/<seconds>" (README, "Limits"); each function has its own.
    enrol_rate_limit: str | None = Field(alias="ENROL_RATE_LIMIT", default=None, pattern=LIMIT)
    claim_rate_limit: str | None = Field(alias="CLAIM_RATE_LIMIT", default=None, pattern=LIMIT)
    code_rate_limit: str | None = Field(alias="CODE_RATE_LIMIT", default=None, pattern=LIMIT)
    click_rate_limit: str | None = Field(alias="CLICK_RATE_LIMIT", default=None, pattern=LIMIT)
    sign_in_rate_limit: str | None = Field(alias="SIGN_IN_RATE_LIMIT", default=None, pattern=LIMIT)
    data_link_rate_limit: str | None = Field(alias="DATA_LINK_RATE_LIMIT", default=None, pattern=LIMIT)
    # Per address, for the routes that mail a link to the address typed: each its own count.
    address_rate_limit: str | None = Field(alias="ADDRESS_RATE_LIMIT", default=None, pattern=LIMIT)

    def require(self, field: str) -> str:
        value = getattr(self, field)
        if not value:
            alias = type(self).model_fields[field].alias
            raise ConfigError(f"environment variable {alias} is not set for this function")
        return str(value)
