"""Hostile input on every public HTML endpoint: 400 or 404 (or an ordinary answer), never a 500.

A Hypothesis sweep in the manner of the API's schemathesis fuzz (training/tests/test_api_fuzz.py):
the endpoints are found, not listed by hand — every non-page URL pattern of the project (the admin and
the JSON API excepted), every live page of a small site with one page of each type, and every route
of its routable pages — and each is called with hostile path segments, query parameters and form
bodies: NUL (raw and %00), invalid UTF-8, huge and negative integers, bidi and zero-width characters,
characters outside the BMP, very long values and arbitrary text. A request that carries a NUL must be
answered 400 (PostgreSQL cannot compare text with NUL; issue #12). Run it on PostgreSQL too (make test
does): that is where NUL broke lookups. SWEEP_EXAMPLES scales the run (default 25 per test item: about 750 requests).
"""

import datetime
import os
import re
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from training.tests.factories import CourseIndexPageFactory, CoursePageFactory, TermFactory, applicant

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("SWEEP_EXAMPLES", "25"))
SWEEP = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
REQUESTS = {"count": 0}


@pytest.fixture(scope="module", autouse=True)
def _report_sweep_size():
    yield
    print(f"\nhostile-input sweep: {REQUESTS['count']} requests, none answered 5xx")


# Already URL-encoded fragments, put into URLs and bodies as they are.
RAW_ESCAPES = [
    "%00",
    "A%00B",
    "ABCD%002345",
    "%00%00%00",
    "%ED%A0%80",  # a UTF-16 surrogate encoded as UTF-8: invalid
    "%FF%FE%FD",
    "%C0%AF",  # overlong '/'
    "%E2%80%AE",  # RIGHT-TO-LEFT OVERRIDE
    "%E2%80%8B",  # ZERO WIDTH SPACE
    "%F0%A0%AE%B7",  # 𠮷
    "%0D%0ASet-Cookie:%20x=1",
    "%25",
    "..%2F..%2Fetc%2Fpasswd",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "%EF%BC%91%EF%BC%93%EF%BC%99",  # full-width digits
]
TEXTS = [
    "\x00",
    "13900000001\x00",
    "99999999999999999999999999999",
    str(2**63),
    str(2**31),
    "-1",
    "0",
    "00000000000000000000",
    "1e309",
    "NaN",
    "inf",
    "\u202e\u202d",
    "\u200b\u200b",
    "𠮷",
    "１３９００００００01",
    "9" * 400,
    "字" * 3000,
    "'\"<>;--",
    " ",
    "",
    "\r\n",
    "a/b",
]


def _utf8_quote(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


fragments = st.one_of(
    st.sampled_from(RAW_ESCAPES),
    st.sampled_from(TEXTS).map(_utf8_quote),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.text(max_size=40).map(_utf8_quote),
)
QUERY_KEYS = ["page", "q", "category", "venue", "age", "term", "status", "weekday", "audience", "type", "tag"]
query_strings = st.lists(
    st.tuples(st.sampled_from(QUERY_KEYS + ["format", "p"]) | fragments, fragments), max_size=4
).map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs))


def _has_nul(url_or_body: str) -> bool:
    return "%00" in url_or_body.upper()


def call(client, method: str, url: str, body: str = ""):
    REQUESTS["count"] += 1
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
    status = response.status_code
    assert status < 500, (method, url, body[:300], status)
    if _has_nul(url) or (method == "POST" and _has_nul(body)):
        assert status == 400, (method, url, body[:300], status)
    return response


# --- the endpoints ------------------------------------------------------------------------------------

SKIPPED_PREFIXES = ("admin/", "django-admin/", "api/")
_CONVERTER = re.compile(r"<(?:\w+:)?\w+>")


def route_templates(patterns, prefix=""):
    """Every route of the URL configuration as "enroll/<str:reference>/"-style text."""
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            if (prefix + route).startswith(SKIPPED_PREFIXES) or route.startswith("^"):
                continue
            yield from route_templates(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern) and not route.startswith("^") and not route.startswith("(?"):
            yield prefix + route


NON_PAGE_ROUTES = sorted(set(route_templates(get_resolver().url_patterns)))


def fill(template: str, values) -> str:
    values = iter(values)
    return _CONVERTER.sub(lambda _m: next(values), template)


def converters(template: str) -> int:
    return len(_CONVERTER.findall(template))


@pytest.fixture
def site(site_root, settings):
    """One live page of each type, an open course with enrollments (one offered a seat), a lottery course."""
    from culture.tests.factories import EventIndexPageFactory, make_event
    from home.tests.factories import NewsIndexPageFactory, NewsPageFactory, StandardPageFactory
    from training.services.enrollment import enroll

    settings.RATE_LIMITS_ENABLED = False
    StandardPageFactory(parent=site_root, slug="about")
    news = NewsIndexPageFactory(parent=site_root)
    NewsPageFactory(parent=news)
    calendar = EventIndexPageFactory(parent=site_root)
    today = timezone.localdate()
    make_event(
        calendar,
        dates=[dict(start_date=today, start_time=datetime.time(19), end_time=datetime.time(21))],
    )
    term = TermFactory(
        enrollment_opens_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
        enrollment_closes_at=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC),
    )
    courses = CourseIndexPageFactory(parent=site_root)
    course = CoursePageFactory(parent=courses, term=term, capacity=1, waitlist_size=3)
    CoursePageFactory(parent=courses, term=term, allocation="lottery")
    references = [enroll(course.pk, applicant(seq)).enrollment.reference for seq in (1, 2)]
    return {"root": site_root, "course": course, "references": references}


def page_urls():
    """Every live page's URL and every route of every routable page, with converters left to fill."""
    from wagtail.contrib.routable_page.models import RoutablePageMixin
    from wagtail.models import Page

    urls = []
    for page in Page.objects.live().specific():
        url = page.url
        if not url:
            continue
        urls.append(url)
        if isinstance(page, RoutablePageMixin):
            urls += [url + route for route in route_templates(page.get_resolver().url_patterns) if route]
    return sorted(set(urls))


# --- the sweep ----------------------------------------------------------------------------------------


def test_the_sweep_finds_the_endpoints_that_broke(site):
    assert {"enroll/<str:reference>/", "enroll/lookup/", "enroll/cancel/", "enroll/accept/", "search/"} <= set(
        NON_PAGE_ROUTES
    )
    assert "enroll/draw/<id:course_id>/" in NON_PAGE_ROUTES
    urls = page_urls()
    assert any("<int:year>/<int:month>/<int:day>/" in url for url in urls)  # the calendar's routes
    assert site["course"].url in urls


@pytest.mark.parametrize("route", NON_PAGE_ROUTES)
def test_non_page_endpoints(client, site, route):
    @SWEEP
    @given(
        values=st.lists(fragments, min_size=converters(route), max_size=converters(route)),
        query=query_strings,
        method=st.sampled_from(["GET", "POST"]),
        body=query_strings,
    )
    def run(values, query, method, body):
        url = "/" + fill(route, values) + ("?" + query if query else "")
        call(client, method, url, body)

    run()


def test_pages_and_their_routes(client, site):
    urls = page_urls()

    @settings(SWEEP, max_examples=EXAMPLES * 8)
    @given(
        template=st.sampled_from(urls),
        values=st.lists(fragments, min_size=3, max_size=3),
        extra=st.one_of(st.just(""), fragments.map(lambda f: f + "/")),
        query=query_strings,
        method=st.sampled_from(["GET", "GET", "POST"]),
        body=query_strings,
    )
    def run(template, values, extra, query, method, body):
        url = fill(template, values) + extra + ("?" + query if query else "")
        call(client, method, url, body)

    run()


ENROLL_FIELDS = ["applicant_name", "phone", "participant_name", "id_number", "employer", "email", "consent"]
good_values = {
    "applicant_name": "张建国",
    "phone": "139%200000%200001",
    "participant_name": "张小明",
    "id_number": "330481201803010011",
    "employer": "",
    "email": "",
    "consent": "on",
}


def test_enrollment_and_my_enrollment_forms(client, site):
    """The forms people fill in: one or more fields hostile, the others plausible, so the hostile
    value reaches the form's own checks and the look-ups behind them."""
    references = site["references"]

    @settings(SWEEP, max_examples=EXAMPLES * 8)
    @given(
        target=st.sampled_from(["course", "/enroll/lookup/", "/enroll/cancel/", "/enroll/accept/"]),
        hostile=st.dictionaries(st.sampled_from(ENROLL_FIELDS + ["reference", "website"]), fragments, min_size=1),
        reference=st.sampled_from(references),
    )
    def run(target, hostile, reference):
        fields = {**good_values, "reference": reference, **hostile}
        body = "&".join(f"{key}={value}" for key, value in fields.items())
        url = site["course"].url if target == "course" else target
        call(client, "POST", url, body)

    run()


def test_nul_examples_from_the_issue_are_400_with_a_chinese_page(client, site):
    reference = site["references"][0]
    for method, url, body in [
        ("GET", f"/enroll/{reference}%00/", ""),
        ("GET", "/enroll/%00/", ""),
        ("POST", "/enroll/cancel/", f"reference={reference}%00&phone=13900000001"),
        ("POST", "/enroll/accept/", f"reference={reference}&phone=13900000001%00"),
        ("POST", "/enroll/lookup/", f"reference=%00{reference}&phone=13900000001"),
        ("POST", site["course"].url, "applicant_name=%E5%BC%A0%00&phone=13900000001"),
        ("GET", "/search/?q=%E8%81%8C%E5%B7%A5%00", ""),
        ("GET", site["course"].get_parent().url + "?term=1%00", ""),
        ("GET", "/about%00/", ""),
    ]:
        response = call(client, method, url, body)
        assert response.status_code == 400 and "无法处理" in response.text


@pytest.mark.postgres
def test_control_without_the_guard_postgresql_fails_on_nul(client, site, settings):
    """The control case: without the middleware a NUL in a page path reaches the slug lookup and
    PostgreSQL's driver refuses it (the 500s of the issue)."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "haining.input_guard.RejectNulMiddleware"]
    client.raise_request_exception = False
    assert client.get("/about%00/").status_code == 500
