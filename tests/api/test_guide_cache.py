from __future__ import annotations

import json

from fastapi.testclient import TestClient

from api.guide_cache import MAX_CACHED_BODY, GuideCache
from api.main import create_app
from api.settings import Settings

BODY = json.dumps({"sites": ["bone"], "treatments": [{"drug": "Femara", "outcome": "progressed"}]}).encode()
HEADERS = {"content-type": "application/json"}


def test_a_repeated_body_gets_the_same_bytes_from_the_cache() -> None:
    with TestClient(create_app(Settings())) as client:
        cache: GuideCache = client.app.state.guide_cache  # type: ignore[attr-defined]
        first = client.post("/v1/guide", content=BODY, headers=HEADERS)
        assert first.status_code == 200, first.text
        assert len(cache) == 1
        second = client.post("/v1/guide", content=BODY, headers=HEADERS)
        assert second.content == first.content
        assert len(cache) == 1


def test_invalid_bodies_are_never_cached() -> None:
    with TestClient(create_app(Settings())) as client:
        for _ in range(2):
            response = client.post("/v1/guide", json={"sites": ["bones"]})
            assert response.status_code == 422
        assert len(client.app.state.guide_cache) == 0  # type: ignore[attr-defined]


def test_size_zero_turns_the_cache_off() -> None:
    with TestClient(create_app(Settings(guide_cache_size=0))) as client:
        assert client.post("/v1/guide", content=BODY, headers=HEADERS).status_code == 200
        assert len(client.app.state.guide_cache) == 0  # type: ignore[attr-defined]


def test_the_cache_is_bounded_and_forgets_the_oldest() -> None:
    cache = GuideCache(2)
    owner = object()
    assert cache.get(b"a", owner) is None
    cache.put(b"a", owner, b"A", [])
    cache.put(b"b", owner, b"B", [])
    assert cache.get(b"a", owner) == (b"A", [])  # a is now the most recent
    cache.put(b"c", owner, b"C", [])
    assert cache.get(b"b", owner) is None
    assert cache.get(b"a", owner) == (b"A", [])
    cache.put(b"x" * (MAX_CACHED_BODY + 1), owner, b"X", [])
    assert len(cache) == 2


def test_another_knowledge_base_empties_the_cache() -> None:
    cache = GuideCache(10)
    first, second = object(), object()
    cache.get(b"a", first)
    cache.put(b"a", first, b"A", [])
    assert cache.get(b"a", second) is None
    assert len(cache) == 0
