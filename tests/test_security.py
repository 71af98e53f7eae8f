"""Deployment safety (issue #14): the client address, security headers, admin log-in throttling, one
admin only, the demo seeder under production settings, the API's content types."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from haining.client_address import client_ip

pytestmark = pytest.mark.django_db


def request(remote_addr, forwarded=None):
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


# --- client address ----------------------------------------------------------------------------------


def test_spoofed_forwarded_for_does_not_change_the_key_without_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = []
    keys = {client_ip(request("198.51.100.7", f"10.0.0.{n}, 203.0.113.{n}")) for n in range(50)}
    assert keys == {"198.51.100.7"}


def test_spoofed_forwarded_for_is_ignored_when_the_peer_is_not_our_proxy(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    # A client connecting directly claims to come through our proxy: the peer is what counts.
    assert client_ip(request("198.51.100.7", "1.2.3.4, 10.0.0.5")) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_client_is_the_last_address_it_did_not_add(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert client_ip(request("127.0.0.1", "198.51.100.7")) == "198.51.100.7"
    # The visitor prepended a fake hop: nginx appended the real one on the right.
    assert client_ip(request("127.0.0.1", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    # Two of our proxies (load balancer, then nginx) are skipped.
    assert client_ip(request("127.0.0.1", "1.2.3.4, 198.51.100.7, 10.0.0.9")) == "198.51.100.7"
    # IPv6 and the proxy's own request with no header.
    assert client_ip(request("127.0.0.1", "2001:db8::1")) == "2001:db8::1"
    assert client_ip(request("127.0.0.1")) == "127.0.0.1"
    # Garbage in the header does not become a key: the nearest good hop does.
    assert client_ip(request("127.0.0.1", "1.2.3.4, not-an-ip")) == "127.0.0.1"


def test_lookups_with_a_random_forwarded_for_hit_the_address_limit(client, site_root, settings):
    """The attack from the issue: a fresh X-Forwarded-For per request used to pass every time."""
    settings.RATE_LIMITS_ENABLED = True
    # Lockouts set high so that only the per-address request limit is measured.
    settings.TRAINING_RATE_LIMITS = {
        "lookup-ip": (10, 600),
        "lookup-fail-reference": (100, 600),
        "lookup-fail-client": (100, 600),
    }
    codes = [
        client.post(
            "/enroll/lookup/",
            {"phone": f"1390000{n:04d}", "reference": "ABCDEFGH"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(15)
    ]
    assert codes.count(429) == 5


# --- headers -----------------------------------------------------------------------------------------


def test_public_pages_have_a_strict_csp_and_a_permissions_policy(client, site_root):
    response = client.get(site_root.url)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_the_admin_gets_its_own_policy(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "object-src 'none'" in response["Content-Security-Policy"]


# --- admin -------------------------------------------------------------------------------------------


def test_there_is_no_second_admin(client, site_root):
    assert client.get("/django-admin/").status_code == 404


def test_admin_log_in_is_throttled_even_with_the_right_password_afterwards(client, django_user_model, site_root):
    django_user_model.objects.create_user("editor", password="correct-horse-battery", is_staff=True)
    client.get("/admin/login/")
    codes = [
        client.post("/admin/login/", {"username": "editor", "password": f"wrong-{n}"}).status_code for n in range(40)
    ]
    assert 429 in codes
    response = client.post("/admin/login/", {"username": "editor", "password": "correct-horse-battery"})
    assert response.status_code == 429 and "已暂时锁定" in response.text
    assert "_auth_user_id" not in client.session


def test_admin_log_in_works_after_a_few_mistakes(client, django_user_model, site_root):
    django_user_model.objects.create_user("editor", password="correct-horse-battery", is_staff=True)
    for n in range(3):
        assert client.post("/admin/login/", {"username": "editor", "password": f"wrong-{n}"}).status_code == 200
    response = client.post("/admin/login/", {"username": "editor", "password": "correct-horse-battery"})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_another_address_is_not_locked_out_by_an_attacker(client, django_user_model, site_root):
    django_user_model.objects.create_user("editor", password="correct-horse-battery", is_staff=True)
    attacker = type(client)(REMOTE_ADDR="203.0.113.66")
    for n in range(10):
        attacker.post("/admin/login/", {"username": "editor", "password": f"wrong-{n}"})
    office = type(client)(REMOTE_ADDR="198.51.100.10")
    assert office.post("/admin/login/", {"username": "editor", "password": "correct-horse-battery"}).status_code == 302


# --- seed_demo ---------------------------------------------------------------------------------------


def test_seed_demo_refuses_under_production_settings(settings, django_user_model, monkeypatch):
    settings.PRODUCTION = True
    monkeypatch.delenv("DEMO_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="生产环境"):
        call_command("seed_demo")
    with pytest.raises(CommandError, match="DEMO_ADMIN_PASSWORD"):
        call_command("seed_demo", "--force")
    assert not django_user_model.objects.filter(username="admin").exists()


# --- API content types -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/x-www-form-urlencoded", "phone=13900000001&reference=ABCDEFGH"),
        ("text/plain", '{"phone": "13900000001", "reference": "ABCDEFGH"}'),
        ("application/xml", "<phone>13900000001</phone>"),
    ],
)
def test_the_api_refuses_non_json_bodies(client, site_root, content_type, body):
    response = client.post("/api/v1/enrollments/lookup/", body, content_type=content_type)
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type" and "JSON" in response.json()["message"]


def test_the_api_accepts_json(client, site_root):
    body = json.dumps({"phone": "13900000001", "reference": "ABCDEFGH"})
    response = client.post("/api/v1/enrollments/lookup/", body, content_type="application/json; charset=utf-8")
    assert response.status_code == 404
