"""Issue #17 in headless Chromium at 390 and 1280 px, normal and in 长辈模式: a course with lesson dates
and a holiday skipped, the confirmation page, a moved event, the week view, the lottery lookup.
Every page is screenshotted (var/screenshots/public/) and scanned with axe."""

import datetime

import pytest

from tests.test_browser_home import SHOTS, _check, _open, demo_site  # noqa: F401 - shared fixture and helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
D = datetime.date
SHOTS = SHOTS.parent / "public"


@pytest.fixture
def public_pages(demo_site):  # noqa: F811
    from django.utils import timezone

    from culture.models import Venue
    from culture.tests.factories import EventIndexPageFactory, make_event, weekly
    from home.models import HomePage
    from training.models import Teacher
    from training.services import lottery
    from training.services.enrollment import enroll
    from training.services.lessons import change_lesson
    from training.tests.factories import CourseIndexPageFactory, CoursePageFactory, TermFactory, applicant

    home = HomePage.objects.get()
    now = timezone.now()
    term = TermFactory(
        name="2026 年秋季",
        enrollment_opens_at=now - datetime.timedelta(days=1),
        enrollment_closes_at=now + datetime.timedelta(days=30),
        age_cutoff_date=D(2026, 9, 1),
        max_courses_per_participant=3,
    )
    index = CourseIndexPageFactory(parent=home, title="培训课程", show_in_menus=True)
    venue = Venue.objects.create(name="工人文化宫", room="三楼棋室", address="海宁市工人路 1 号")
    course = CoursePageFactory(
        parent=index,
        title="围棋入门",
        slug="weiqi",
        term=term,
        capacity=10,
        waitlist_size=5,
        age_min=5,
        age_max=12,
        fee=480,
        weekdays="6",
        start_time=datetime.time(14, 0),
        end_time=datetime.time(15, 30),
        first_lesson=D(2026, 9, 5),
        lessons=8,
        payment_instructions="录取后凭报名编号到工人文化宫一楼服务台缴费，可用现金、微信或支付宝扫码。",
        payment_deadline=now + datetime.timedelta(days=35),
        documents="学员户口簿或身份证原件\n一寸照片 1 张",
        teacher=Teacher.objects.create(name="周老师", title="围棋五段"),
        venue=venue,
        summary="面向 5–12 岁少儿，小班教学。",
    )
    course.save_revision().publish()
    change_lesson(course.pk, D(2026, 9, 19), kind="move", new_date=D(2026, 9, 20), note="教师外出比赛")
    enrollment = enroll(course.pk, applicant(1, birth=D(2018, 3, 1))).enrollment

    lottery_course = CoursePageFactory(
        parent=index,
        title="机器人编程",
        slug="robot",
        term=term,
        allocation="lottery",
        capacity=3,
        waitlist_size=2,
        age_min=6,
        age_max=14,
    )
    for n in range(2, 10):
        enroll(lottery_course.pk, applicant(n, birth=D(2017, 5, 1), phone=f"1370000{n:04d}"))
    lottery_course.closes_at = now - datetime.timedelta(minutes=1)
    lottery_course.save_revision().publish()
    lottery.run_draw(lottery_course.pk)

    calendar = EventIndexPageFactory(parent=home, title="文化活动", show_in_menus=True)
    today = timezone.localdate()
    first = today + datetime.timedelta(days=2)
    event = make_event(
        calendar,
        title="职工电影放映",
        slug="film",
        venue=venue,
        dates=[weekly(first, first + datetime.timedelta(days=21))],
        changes=[dict(date=first, kind="moved", new_date=first + datetime.timedelta(days=10), note="放映厅检修")],
    )
    return {
        "base": demo_site,
        "course": course,
        "enrollment": enrollment,
        "lottery": lottery_course,
        "event": event,
        "week": today - datetime.timedelta(days=today.weekday()),
    }


def _elder(context, page, base):
    """Switch 长辈模式 on the way a visitor does: the header link (no JavaScript needed)."""
    page.goto(base + "/")
    normal = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.get_by_role("link", name="长辈模式").first.click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= normal * 1.3


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_public_pages(browser, public_pages, viewport, elder):
    from training.models import Enrollment

    base = public_pages["base"]
    suffix = f"{viewport}{'-elder' if elder else ''}"
    context = _open(browser, viewport)
    page = context.new_page()
    if elder:
        _elder(context, page, base)

    # A course with its lesson dates; 国庆 Saturday skipped, one lesson moved.
    page.goto(base + public_pages["course"].url)
    facts = page.locator(".course-facts").inner_text()
    assert "每周六 14:00–15:30，2026年9月5日至11月7日，共 8 次课（节假日停课 2 次）" in facts
    lessons = page.locator(".lessons")
    assert "国庆节停课" in lessons.inner_text() and "中秋节停课" in lessons.inner_text()
    assert "由 9月19日 调课" in lessons.inner_text()
    assert page.locator(".eligibility").is_visible()
    assert "本站不提供在线支付" in page.locator(".eligibility").inner_text()
    consent = page.get_by_label("我已阅读并同意", exact=False)
    target = page.locator(".field__check").bounding_box()
    assert target["height"] >= 44 and consent.bounding_box()["width"] >= 24
    _shot(page, f"course-{suffix}")

    # The confirmation page.
    enrollment = public_pages["enrollment"]
    page.goto(base + f"/enroll/{enrollment.reference}/")
    assert "报名成功，已录取" in page.locator("h1").inner_text()
    steps = page.locator(".next-steps").inner_text()
    assert "缴费 ¥480" in steps and "一寸照片" in steps and "三楼棋室" in steps and "我的报名" in steps
    assert page.get_by_role("link", name="加入手机日历（.ics）").is_visible()
    assert page.locator("[data-wechat-hint]").is_hidden()
    assert page.get_by_role("navigation", name="面包屑导航").is_visible()
    _shot(page, f"confirmation-{suffix}")

    # A moved event: the headline is a date that takes place, and the move is said.
    page.goto(base + public_pages["event"].url)
    facts = page.locator(".event-facts").inner_text()
    assert "已改期至" in facts
    _shot(page, f"event-moved-{suffix}")

    # The week view: the heading on one or two lines, 本周 marked on this week only.
    week = public_pages["week"]
    page.goto(base + f"/activities/week/{week.year}/{week.month}/{week.day}/")
    heading = page.locator(".cal-nav__title")
    assert heading.bounding_box()["height"] < 90
    assert page.locator('.cal-tabs a[aria-current="page"]').inner_text() == "本周"
    _shot(page, f"week-{suffix}")
    later = week + datetime.timedelta(days=7)
    page.goto(base + f"/activities/week/{later.year}/{later.month}/{later.day}/")
    assert page.locator('.cal-tabs a[aria-current="page"]').count() == 0

    # The lottery result, looked up by the parent's reference code.
    entrant = Enrollment.objects.filter(course=public_pages["lottery"]).order_by("pk").first()
    page.goto(base + f"/enroll/draw/{public_pages['lottery'].pk}/")
    page.get_by_role("textbox", name="查我的结果", exact=False).fill(entrant.reference.lower())
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    assert entrant.reference in page.locator(".lottery-mine").inner_text()
    assert page.locator("tr.is-mine").count() == 1
    padding = page.evaluate("getComputedStyle(document.querySelector('.lottery-table td')).paddingLeft")
    assert float(padding.removesuffix("px")) >= 8
    _shot(page, f"lottery-{suffix}")
    context.close()


def _shot(page, name):
    import tests.test_browser_home as home_tests

    # On a phone the layout viewport widens to fit content that does not shrink: that is sideways scrolling too.
    assert page.evaluate("window.innerWidth") <= page.viewport_size["width"], name
    original = home_tests.SHOTS
    home_tests.SHOTS = SHOTS
    try:
        _check(page, name)
    finally:
        home_tests.SHOTS = original


def test_text_scales_at_200_percent_zoom(browser, public_pages):
    """A desktop at 200 % zoom is a 640 px wide CSS viewport with a 32 px root size: nothing scrolls sideways."""
    # The browser's own text size is not the page's style: the page's Content-Security-Policy (no inline
    # style) does not apply to it, so the stand-in style tag bypasses it.
    context = browser.new_context(
        viewport={"width": 640, "height": 900}, device_scale_factor=2, locale="zh-CN", bypass_csp=True
    )
    page = context.new_page()
    page.goto(public_pages["base"] + public_pages["course"].url)
    page.add_style_tag(content="html { font-size: 200% !important; }")  # the browser's own text size at 200 %
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 32
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    _shot(page, "course-zoom-200")
    context.close()
