"""jti replay protection across workers and replicas: two app instances share one Redis (a real
redis-server the test starts on a free loopback port), so a token used on one is refused on the other.

scripts/test.sh installs Debian's redis-server when it is missing; without it this test fails, it is
never skipped, so CI cannot pass without having checked it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.cds_security import REDIS_KEY_PREFIX
from api.main import create_app
from api.settings import Settings
from cds.cds_support import SERVICE_URL, TokenFactory, hook_body

EMPTY = {"resourceType": "Bundle", "type": "searchset"}
PREFETCH = {"patient": None, "conditions": EMPTY, "tumor_markers": EMPTY, "medication_requests": EMPTY}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: scripts/test.sh installs Debian's redis-server with apt-get")
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", folder, "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"redis://127.0.0.1:{port}/0"
        try:
            client = redis.Redis.from_url(url, socket_timeout=1)
            deadline = time.monotonic() + 15
            while True:
                try:
                    if client.ping():
                        break
                except redis.ConnectionError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"redis-server did not start (exit code {process.poll()})") from None
                    time.sleep(0.05)
            client.close()
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


def call(client: TestClient, token: str) -> Any:
    return client.post(SERVICE_URL, json=hook_body(PREFETCH, "p-1"), headers={"Authorization": f"Bearer {token}"})


def test_a_token_used_on_one_worker_is_refused_on_another(redis_url: str, secure_settings: Settings,
                                                          make_token: TokenFactory) -> None:
    settings = secure_settings.model_copy(update={"redis_url": SecretStr(redis_url)})
    with TestClient(create_app(settings)) as first, TestClient(create_app(settings)) as second:
        token = make_token()
        assert call(first, token).status_code == 200
        replayed = call(second, token)
        assert replayed.status_code == 401
        assert "used before" in replayed.json()["issue"][0]["details"]["text"]
        assert call(first, token).status_code == 401
        assert call(second, make_token()).status_code == 200, "a new token is fine on either"


def test_without_redis_each_worker_keeps_its_own_cache(secure_settings: Settings, make_token: TokenFactory) -> None:
    """What the README warns about: the per-worker cache cannot see a replay to another worker."""
    with TestClient(create_app(secure_settings)) as first, TestClient(create_app(secure_settings)) as second:
        token = make_token()
        assert call(first, token).status_code == 200
        assert call(first, token).status_code == 401
        assert call(second, token).status_code == 200


def test_seen_jtis_expire_with_the_token_and_hold_no_claim(redis_url: str, secure_settings: Settings,
                                                           make_token: TokenFactory) -> None:
    settings = secure_settings.model_copy(update={"redis_url": SecretStr(redis_url)})
    store = redis.Redis.from_url(redis_url)
    store.flushdb()
    now = int(time.time())
    with TestClient(create_app(settings)) as client:
        assert call(client, make_token(jti="visible-jti-value", iat=now, exp=now + 120)).status_code == 200
    (name,) = store.keys("*")
    assert name.decode().startswith(REDIS_KEY_PREFIX) and b"visible-jti-value" not in name
    assert 0 < store.ttl(name) <= 120 + settings.cds_jwt_leeway_seconds
    store.close()


def test_when_redis_cannot_be_reached_the_call_is_refused_not_let_through(secure_settings: Settings,
                                                                         make_token: TokenFactory) -> None:
    settings = secure_settings.model_copy(update={"redis_url": SecretStr(f"redis://127.0.0.1:{free_port()}/0")})
    with TestClient(create_app(settings)) as client:
        response = call(client, make_token())
    assert response.status_code == 503
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome" and outcome["issue"][0]["code"] == "transient"
    assert response.headers["retry-after"] == "5"


def test_the_redis_url_must_be_a_redis_url() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="DECISION_AID_REDIS_URL"):
        Settings(redis_url="http://127.0.0.1:6379")  # type: ignore[arg-type]
    assert "secret" not in repr(Settings(redis_url="redis://:secret@127.0.0.1:6379/0"))  # type: ignore[arg-type]
