"""The test run cannot reach the internet (haining.testing), but reaches our own services on loopback."""

import socket
import threading

import pytest
import requests


def test_a_public_address_is_unreachable_in_tests():
    # WeChat's picture host answers any address with an image when the machine is online; a test
    # that expects "unreachable" must not depend on the machine's network.
    with pytest.raises(requests.ConnectionError):
        requests.get("https://mmbiz.qpic.cn/mmbiz_jpg/x/640?wx_fmt=jpeg", timeout=3)
    with pytest.raises(requests.ConnectionError):
        requests.get("http://93.184.216.34/", timeout=3)


def test_loopback_is_reachable():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(server.accept()[0]))
    thread.start()
    client = socket.create_connection(("127.0.0.1", port), timeout=3)
    thread.join(3)
    assert accepted
    client.close()
    accepted[0].close()
    server.close()
