"""GET /openapi.json: the OpenAPI document of every route, from the same routers."""

from functools import cache

from aws_lambda_powertools.event_handler import Response

from passaparola.api.app import make_app, make_handler

# Serves only the document; the routers it describes are imported when it is first asked for.
app = make_app()


@cache
def document() -> str:
    # The OpenAPI models are heavy to import; only a request for the document needs them.
    from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn, HTTPBearer

    from passaparola.api import (
        admin_actions,
        admin_reads,
        click_docs,
        code_docs,
        integrations,
        my_data,
        referrers,
        shop_webhooks,
        sign_in,
        stats,
        unsubscribe,
    )

    described = make_app(
        click_docs.router,
        code_docs.router,
        referrers.router,
        shop_webhooks.router,
        integrations.router,
        stats.router,
        unsubscribe.router,
        my_data.router,
        sign_in.router,
        admin_reads.router,
        admin_actions.router,
    )
    return described.get_openapi_json_schema(
        title="passaparola",
        version="1.0.0",
        summary="Referral programme API: links, codes, claims, signed shop webhooks, the business's side",
        security_schemes={
            "adminBearer": HTTPBearer(
                description=(
                    "An admin key (ppk_..., from AdminKeysSecret) or a console session (pps_..., "
                    "from POST /admin/sessions), as 'Authorization: Bearer <credential>'."
                )
            ),
            "standardWebhooks": APIKey(
                name="webhook-signature",
                in_=APIKeyIn.header,
                description=(
                    "Standard Webhooks: webhook-id, webhook-timestamp and webhook-signature "
                    "(v1,<base64 HMAC-SHA256 of 'id.timestamp.body'>), within 5 minutes."
                ),
            ),
            "stripeSignature": APIKey(
                name="Stripe-Signature",
                in_=APIKeyIn.header,
                description="Stripe's: t=<time>,v1=<hex HMAC-SHA256 of 't.body'>, within 5 minutes",
            ),
            "shopifyHmac": APIKey(
                name="X-Shopify-Hmac-Sha256",
                in_=APIKeyIn.header,
                description="Shopify's: the base64 HMAC-SHA256 of the body; X-Shopify-Topic and "
                "X-Shopify-Webhook-Id come with it",
            ),
            "wooCommerceSignature": APIKey(
                name="X-WC-Webhook-Signature",
                in_=APIKeyIn.header,
                description="WooCommerce's: the base64 HMAC-SHA256 of the body",
            ),
        },
    )


@app.get("/openapi.json", include_in_schema=False)
def openapi() -> Response[str]:
    return Response(200, "application/json", document(), {"Cache-Control": "public, max-age=300"})


handler = make_handler(app)
