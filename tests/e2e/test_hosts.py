"""The app answers only to this machine's names: a page elsewhere that re-points its own name
at the app (DNS rebinding) cannot open a session."""

import http.client
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.e2e


def _handshake(server: str, host: str) -> int:
    url = urlparse(server)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.request(
        "GET",
        "/_stcore/stream",
        headers={
            "Host": f"{host}:{url.port}",
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
    )
    status = conn.getresponse().status
    conn.close()
    return status


def test_a_session_opens_by_this_machines_names_only(server):
    assert _handshake(server, "localhost") == 101
    assert _handshake(server, "127.0.0.1") == 101
    assert _handshake(server, "rebound.example") == 403
