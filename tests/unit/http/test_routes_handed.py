"""Every route that names a service gets it handed: powertools reads a route's annotations at
run time (typing.get_type_hints), and a name it cannot resolve there drops every Depends of
that route without a word, so the route would fail on its first call."""

import importlib
import inspect

import pytest

from passaparola_localstack import template as local_template

pytestmark = pytest.mark.unit


def _routes():
    template = local_template.load()
    seen = set()
    for route in local_template.routes(template):
        module, _, _ = local_template.handler_of(template, route.function).rpartition(".")
        app = getattr(importlib.import_module(module), "app", None)
        if app is None or id(app) in seen:
            continue
        seen.add(id(app))
        yield from app._static_routes + app._dynamic_routes


def test_each_route_that_names_a_service_is_handed_it():
    from aws_lambda_powertools.event_handler.depends import build_dependency_tree

    named = 0
    for route in _routes():
        wanted = {
            name
            for name, parameter in inspect.signature(route.func).parameters.items()
            if str(parameter.annotation).endswith("Dep")
        }
        handed = {node.param_name for node in build_dependency_tree(route.func).dependencies}
        assert handed == wanted, route.func.__qualname__
        named += bool(wanted)
    assert named >= 15  # the routes of enrolment, claims, codes, stats, data, sign-in and admin
