"""What each function loads when Lambda imports its handler, checked in a fresh interpreter
(`python -I`: no site customisation, no PYTHONPATH, as a cold start sees it): the click function,
the busiest, loads no pydantic, no asyncio and no powertools event handler; each HTTP function
loads the routers of its own routes and its own kind of models, no other's. Structural checks
of sys.modules, not timings (`passaparola bench --only imports` prints the timings)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from passaparola_localstack import template as local_template
from tests.support import ROOT

pytestmark = pytest.mark.integration

CLICK_HANDLER = "passaparola.handlers.record_click"
# Top-level packages, or one package's subpackage, that the click handler must not load.
NOT_FOR_A_CLICK = ("pydantic", "pydantic_core", "asyncio", "aws_lambda_powertools.event_handler")

_DRIVER = """
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
loaded = {}
for module in json.loads(sys.argv[2]):
    before = set(sys.modules)
    importlib.import_module(module)
    loaded[module] = sorted(set(sys.modules) - before)
print(json.dumps(loaded))
"""


def _handler_modules(template: dict[str, Any]) -> list[str]:
    functions = local_template.functions(template)
    return sorted({local_template.handler_of(template, f).rpartition(".")[0] for f in functions})


def _loaded(*modules: str) -> dict[str, list[str]]:
    """What importing each module loaded that was not loaded before, in one fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-I", "-c", _DRIVER, str(ROOT / "functions"), json.dumps(modules)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    loaded: dict[str, list[str]] = json.loads(done.stdout)
    return loaded


def _forbidden(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == bad or m.startswith(f"{bad}.") for bad in NOT_FOR_A_CLICK)]


def test_the_click_handler_loads_no_pydantic_asyncio_or_event_handler(template: dict[str, Any]) -> None:
    handlers = _handler_modules(template)
    assert CLICK_HANDLER in handlers
    # The click handler first, in an interpreter of its own; then every other, after it.
    loaded = _loaded(CLICK_HANDLER, *(h for h in handlers if h != CLICK_HANDLER))
    assert sorted(loaded) == handlers
    click = loaded[CLICK_HANDLER]
    assert CLICK_HANDLER in click
    assert _forbidden(click) == []
    # The other handlers, imported after it, do load what it must not: the check would see it.
    everything = {m for modules in loaded.values() for m in modules}
    assert {"pydantic", "aws_lambda_powertools.event_handler"} <= everything


def test_the_check_sees_the_modules_it_forbids() -> None:
    # The response models and the resolver, as the HTTP API's functions import them.
    loaded = _loaded("passaparola.api.schemas", "aws_lambda_powertools.event_handler")
    forbidden = set(_forbidden([m for modules in loaded.values() for m in modules]))
    assert {"pydantic", "asyncio", "aws_lambda_powertools.event_handler"} <= forbidden


# --- each HTTP function, imported in an interpreter of its own ---------------------------------

SCHEMAS = "passaparola.api.schemas"  # the public functions' models
ADMIN_SCHEMAS = "passaparola.api.admin_schemas"  # the business's
SIGN_IN_SCHEMAS = "passaparola.api.sign_in_schemas"  # the console's sign-in
# The model modules each HTTP function loads with its handler: its own kind's, never another's.
OWN_MODELS = {
    "passaparola.handlers.validate_code": set(),  # its answer's, when it answers
    "passaparola.handlers.enrol_and_claim": {SCHEMAS},
    "passaparola.handlers.my_data": {SCHEMAS},
    "passaparola.handlers.referrer_stats": {SCHEMAS},
    "passaparola.handlers.unsubscribe": {SCHEMAS},
    "passaparola.handlers.shop_webhooks": {SCHEMAS},
    "passaparola.handlers.admin_sign_in": {SIGN_IN_SCHEMAS},
    "passaparola.handlers.admin_reads": {ADMIN_SCHEMAS},
    # a decision on a review may come signed by the shop, and is answered as the shop's calls are
    "passaparola.handlers.admin_actions": {ADMIN_SCHEMAS, SCHEMAS},
    "passaparola.handlers.api_docs": set(),  # every router's and model, when the document is asked for
}
# Loaded with the rules, by the first request that reads them, not by a schema that names a size.
CAMPAIGN_MODELS = "passaparola.domain.campaign"

# A fresh interpreter loads what every HTTP function shares once; each handler is then imported
# in a child of its own (fork), so what one handler loads is never credited to another.
_EACH_ALONE = r"""
import importlib, json, os, re, sys
sys.path.insert(0, sys.argv[1])
import aws_lambda_powertools.event_handler, pydantic
for module in json.loads(sys.argv[2]):
    child = os.fork()
    if child:
        os.waitpid(child, 0)
        continue
    before = set(sys.modules)
    importlib.import_module(module)
    loaded = sorted(set(sys.modules) - before)
    routers = [sys.modules[name].router for name in loaded if name.startswith("passaparola.api.")
               and hasattr(sys.modules[name], "router")]
    # powertools keys a route by (rule, methods, ...), its rule spelt /codes/<code>
    routes = sorted(method + " " + re.sub(r"<([^>]+)>", r"{\1}", key[0])
                    for router in routers for key in router._routes for method in key[1])
    print(json.dumps({"module": module, "loaded": loaded, "routes": routes}), flush=True)
    os._exit(0)
"""


@pytest.fixture(scope="module")
def each_http_function(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per HTTP handler module: what importing it alone loaded, the routes of the routers among
    that, and the routes the template sends to its function."""
    own_routes: dict[str, set[str]] = {}
    for route in local_template.routes(template):
        module = local_template.handler_of(template, route.function).rpartition(".")[0]
        own_routes.setdefault(module, set()).add(f"{route.method} {route.path}")
    done = subprocess.run(
        [sys.executable, "-I", "-c", _EACH_ALONE, str(ROOT / "functions"), json.dumps(sorted(own_routes))],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    found = {}
    for line in done.stdout.splitlines():
        seen = json.loads(line)
        found[seen["module"]] = {
            "loaded": set(seen["loaded"]),
            "router_routes": set(seen["routes"]),
            "own_routes": own_routes[seen["module"]],
        }
    assert sorted(found) == sorted(own_routes)
    return found


def test_each_http_function_loads_only_the_routers_of_its_own_routes(each_http_function):
    for module, seen in each_http_function.items():
        assert seen["router_routes"] <= seen["own_routes"], module
        if module != "passaparola.handlers.api_docs":  # it loads the routers it describes when asked
            assert seen["router_routes"] == seen["own_routes"], module


def test_each_http_function_loads_its_own_kind_of_models_and_not_the_campaigns(each_http_function):
    assert sorted(each_http_function) == sorted(OWN_MODELS)
    models = {SCHEMAS, ADMIN_SCHEMAS, SIGN_IN_SCHEMAS}
    for module, seen in each_http_function.items():
        assert seen["loaded"] & models == OWN_MODELS[module], module
        assert CAMPAIGN_MODELS not in seen["loaded"], module


def test_the_public_functions_and_the_sign_in_load_none_of_the_business_models(each_http_function):
    business = {"passaparola.handlers.admin_reads", "passaparola.handlers.admin_actions"}
    for module, seen in each_http_function.items():
        if module not in business:
            assert not {m for m in seen["loaded"] if m.startswith(ADMIN_SCHEMAS)}, module


def test_the_shop_webhooks_load_no_campaign_models_with_a_platforms_code():
    """Each platform's mapping is loaded by the shop webhooks' function at its first delivery;
    building a coupon's request names the coupon's terms in signatures only."""
    platforms = [f"passaparola.domain.platforms.{p}" for p in ("stripe", "shopify", "woocommerce")]
    loaded = _loaded("passaparola.handlers.shop_webhooks", *platforms)
    for module in ("passaparola.handlers.shop_webhooks", *platforms):
        assert CAMPAIGN_MODELS not in loaded[module], module
