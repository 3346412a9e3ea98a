"""The composition root forgets everything it built when told to, with no list kept by hand."""

import functools

import pytest

from passaparola import config, wiring

pytestmark = pytest.mark.unit


def test_every_cached_factory_is_forgotten_by_reset(monkeypatch):
    cached = [
        value
        for value in vars(wiring).values()
        if isinstance(value, functools._lru_cache_wrapper) and value not in (config.settings, config.rules)
    ]
    assert cached, "wiring caches its services"
    cleared = []
    for factory in cached:
        monkeypatch.setattr(factory, "cache_clear", functools.partial(cleared.append, factory))
    wiring.reset()
    assert {id(f) for f in cleared} == {id(f) for f in cached}


def test_a_factory_declared_later_is_forgotten_too():
    calls = []

    @wiring.built_once
    def later() -> object:
        calls.append(1)
        return object()

    first = later()
    assert later() is first
    wiring.reset()
    assert later() is not first
    assert len(calls) == 2
