"""A Redis outage is a cache miss (pages, content version, rate limits fail open); /readyz reports each service
separately and quickly while /healthz stays liveness. Redis here is our own server or a closed/hung port."""

import shutil
import time

import pytest
from django.core.cache import cache

from haining.cache import breaker
from notices.tests.fakes import HungServer, RedisServer, free_port


def fail_safe(location):
    return {
        "default": {
            "BACKEND": "haining.cache.FailSafeRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture(autouse=True)
def _breaker():
    breaker.reset()
    yield
    breaker.reset()


@pytest.fixture
def down_cache(settings):
    settings.CACHES = fail_safe(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there


@pytest.fixture
def own_redis(settings):
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server (apt-get install redis-server)")
    server = RedisServer().start()
    settings.CACHES = fail_safe(server.url)
    yield server
    server.stop()


def test_every_cache_operation_answers_like_an_empty_cache_when_redis_is_down(down_cache, caplog):
    assert cache.get("k", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    cache.set("k", 1)  # no error, nothing stored
    assert cache.add("k", 1) is False and cache.delete("k") is False
    assert cache.has_key("k") is False and cache.touch("k") is False
    assert cache.set_many({"a": 1}) == [] and cache.get_or_set("k", 7) == 7
    with pytest.raises(ValueError):
        cache.incr("k")
    assert caplog.text.count("Cache unavailable") == 1  # logged once per outage window, not per call


def test_a_hung_redis_costs_one_short_timeout_then_nothing(settings):
    hung = HungServer()
    try:
        settings.CACHES = fail_safe(f"redis://127.0.0.1:{hung.port}/0")
        started = time.monotonic()
        assert cache.get("k") is None
        first = time.monotonic() - started
        started = time.monotonic()
        for _ in range(100):
            cache.get("k")
        assert first < 2.0 and time.monotonic() - started < 0.2
    finally:
        hung.close()


def test_rate_limits_fail_open_while_the_cache_is_down(down_cache, settings):
    """training.ratelimit counts in the cache: without it every request is the first of its window."""
    from training import ratelimit

    settings.RATE_LIMITS_ENABLED = True
    settings.TRAINING_RATE_LIMITS = {"enroll-ip": (1, 600)}
    assert all(ratelimit.hit("enroll-ip", "203.0.113.9") for _ in range(5))


def test_rate_limits_hold_again_when_redis_is_back(own_redis, settings):
    from training import ratelimit

    settings.RATE_LIMITS_ENABLED = True
    settings.TRAINING_RATE_LIMITS = {"enroll-ip": (2, 600)}
    assert [ratelimit.hit("enroll-ip", "203.0.113.9") for _ in range(3)] == [True, True, False]


def test_a_rate_limit_window_is_counted_in_one_round_trip_with_its_lifetime(own_redis):
    """haining.cache's count_in_window: SET NX EX + INCR in one MULTI, so the counter always has its lifetime."""
    import redis

    raw = redis.Redis.from_url(own_redis.url)
    assert [cache.count_in_window("rl:test", 60) for _ in range(3)] == [1, 2, 3]
    key = cache.make_key("rl:test")
    assert 0 < raw.ttl(key) <= 60
    assert cache.get("rl:test") == 3  # the same value Django's own get/incr read
    raw.delete(key)  # expired: the next count starts a new window
    assert cache.count_in_window("rl:test", 60) == 1 and 0 < raw.ttl(key) <= 60


def test_an_applicants_phone_and_id_are_counted_in_one_round_trip_and_each_limit_holds(own_redis, settings):
    """Phone and ID number of one valid submission: one MULTI to Redis; either limit reached refuses, and
    both are counted whichever refuses."""
    import redis

    from training import ratelimit

    settings.RATE_LIMITS_ENABLED = True
    settings.TRAINING_RATE_LIMITS = {"enroll-phone": (3, 600), "enroll-id": (2, 600)}
    raw = redis.Redis.from_url(own_redis.url)

    def transactions():
        return int(raw.info("commandstats").get("cmdstat_exec", {}).get("calls", 0))

    applicant = {"phone": "13900000001", "id_number": "11010519491231002X"}
    before = transactions()
    assert ratelimit.applicant_allowed(applicant) is True
    assert transactions() - before == 1
    assert ratelimit.applicant_allowed(applicant) is True
    assert ratelimit.applicant_allowed(applicant) is False  # the ID's limit (2)
    other_id = {"phone": "13900000001", "id_number": "110105194912310037"}
    assert ratelimit.applicant_allowed(other_id) is False  # the phone's limit (3): counted while the ID refused
    other_phone = {"phone": "13900000002", "id_number": "110105194912310037"}
    assert ratelimit.applicant_allowed(other_phone) is True
    keys = raw.keys("*rl:enroll-*")
    assert len(keys) == 4 and all(0 < raw.ttl(key) <= 600 for key in keys)


def test_applicant_limits_fail_open_while_redis_is_down(down_cache, settings):
    from training import ratelimit

    settings.RATE_LIMITS_ENABLED = True
    settings.TRAINING_RATE_LIMITS = {"enroll-phone": (1, 600), "enroll-id": (1, 600)}
    applicant = {"phone": "13900000001", "id_number": "11010519491231002X"}
    assert all(ratelimit.applicant_allowed(applicant) for _ in range(3))


def test_a_rate_limit_window_fails_open_while_redis_is_down(down_cache):
    assert [cache.count_in_window("rl:test", 60) for _ in range(3)] == [1, 1, 1]


def test_content_version_survives_the_outage(down_cache):
    from home.signals import bump_content_version, content_version

    assert content_version() == 1
    bump_content_version()  # no error
    assert content_version() == 1


@pytest.mark.django_db
def test_pages_are_served_with_the_cache_down(client, site_root, down_cache):
    for url in [site_root.url, "/search/?q=工会", "/healthz"]:
        started = time.monotonic()
        assert client.get(url).status_code == 200, url
        assert time.monotonic() - started < 2.0


@pytest.mark.django_db
def test_readyz_on_the_embedded_default(client, settings):
    settings.BROKER_CONFIGURED = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "not configured"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_reports_each_service_separately(client, own_redis, settings):
    from haining.celery import app

    hung = HungServer()
    saved = app.conf.broker_url
    try:
        settings.BROKER_CONFIGURED = True
        app.conf.broker_url = own_redis.url
        assert client.get("/readyz").json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}

        app.conf.broker_url = f"redis://127.0.0.1:{hung.port}/0"  # the broker hangs
        own_redis.stop()  # and the cache is gone
        started = time.monotonic()
        response = client.get("/readyz")
        elapsed = time.monotonic() - started
        report = response.json()
        assert response.status_code == 200 and report["status"] == "degraded"  # still serving: keep routing here
        assert report["database"] == "ok"
        assert report["cache"].startswith("error") and report["broker"].startswith("error")
        assert elapsed < 4.0  # each check is bounded (about a second)
        assert client.get("/healthz").status_code == 200  # liveness is unchanged
    finally:
        app.conf.broker_url = saved
        hung.close()
