"""A parent's whole journey on a phone: catalogue, course, enroll, confirmation, lookup, cancel; the
waitlisted child is promoted. Screenshots at phone and desktop width, axe on every page."""

import datetime

import pytest

from tests.test_browser_home import _check, _open, demo_site  # noqa: F401 - shared fixture and helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def course(demo_site):  # noqa: F811
    from home.models import HomePage
    from training.tests.factories import CourseIndexPageFactory, CoursePageFactory, TermFactory

    term = TermFactory(
        name="2027 年暑期",
        enrollment_opens_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
        enrollment_closes_at=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC),
    )
    index = CourseIndexPageFactory(parent=HomePage.objects.get(), title="培训课程", show_in_menus=True)
    course = CoursePageFactory(
        parent=index,
        title="少儿古筝启蒙班",
        slug="guzheng",
        term=term,
        capacity=1,
        waitlist_size=3,
        summary="面向 6–12 岁少儿的公益古筝课",
    )
    return demo_site, course


def fill(page, seq, participant):
    from training.tests.factories import id_number

    page.get_by_label("报名人（家长/本人）姓名").fill("王建国")
    page.get_by_label("手机号码").fill(f"1390000{seq:04d}")
    page.get_by_label("学员姓名").fill(participant)
    page.get_by_label("学员身份证号").fill(id_number(datetime.date(2018, 5, 1), seq))
    page.get_by_label("我已阅读并同意", exact=False).check()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_enroll_lookup_cancel_and_promotion(browser, course, viewport):
    from training.models import Enrollment

    base, course_page = course
    context = _open(browser, viewport)
    page = context.new_page()
    page.goto(base + "/courses/")
    _check(page, f"courses-{viewport}")
    page.get_by_role("link", name="少儿古筝启蒙班").click()
    page.wait_for_load_state()
    _check(page, f"course-{viewport}")

    # A mistake first: the form comes back with the error next to the field, nothing saved.
    fill(page, 1, "王小明")
    page.get_by_label("手机号码").fill("12345")
    page.get_by_role("button", name="提交报名").click()
    page.wait_for_load_state()
    assert page.get_by_text("请填写正确的 11 位手机号码").first.is_visible()
    assert Enrollment.objects.count() == 0
    _check(page, f"course-error-{viewport}")

    page.get_by_label("手机号码").fill("13900000001")
    page.get_by_label("我已阅读并同意", exact=False).check()
    page.get_by_role("button", name="提交报名").click()
    page.wait_for_load_state()
    assert "报名成功，已录取" in page.locator("h1").inner_text()
    first = Enrollment.objects.get()
    _check(page, f"confirmation-{viewport}")

    # A second child takes the waitlist.
    page.goto(base + course_page.url)
    fill(page, 2, "李小红")
    page.get_by_role("button", name="提交候补报名").click()
    page.wait_for_load_state()
    assert "候补" in page.locator("h1").inner_text()
    second = Enrollment.objects.exclude(pk=first.pk).get()

    # The first parent looks up and cancels; the waitlisted child is promoted.
    page.goto(base + "/enroll/lookup/")
    page.get_by_label("报名时填写的手机号码").fill("13900000001")
    page.get_by_role("textbox", name="报名编号").fill(first.reference.lower())
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    _check(page, f"lookup-{viewport}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="取消报名").click()
    page.wait_for_load_state()
    assert "报名已取消" in page.locator("h1").inner_text()
    second.refresh_from_db()
    assert second.status == "confirmed"
    context.close()


VIEWPORT_WIDTHS = {"phone": 390, "desktop": 1280}


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_lottery_result_page(browser, demo_site, viewport):  # noqa: F811
    """The public draw result: masked names and phones, the seed with its published hash, readable on a phone."""
    from home.models import HomePage
    from training.services.enrollment import enroll
    from training.services.lottery import run_draw
    from training.tests.factories import CourseIndexPageFactory, CoursePageFactory, TermFactory, applicant

    opens = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    term = TermFactory(
        enrollment_opens_at=opens, enrollment_closes_at=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)
    )
    index = CourseIndexPageFactory(parent=HomePage.objects.get(), title="培训课程")
    course = CoursePageFactory(
        parent=index, title="机器人编程", term=term, allocation="lottery", capacity=3, waitlist_size=2
    )
    for n in range(1, 9):
        enroll(course.pk, applicant(n, phone=f"1380000{n:04d}"), now=opens + datetime.timedelta(days=1))
    draw = run_draw(course.pk, now=datetime.datetime(2100, 1, 2, tzinfo=datetime.UTC))
    context = _open(browser, viewport)
    tab = context.new_page()
    tab.goto(f"{demo_site}/enroll/draw/{course.pk}/")
    assert tab.locator("h1").inner_text() == "机器人编程"
    assert tab.get_by_text(draw.seed, exact=True).is_visible()
    assert tab.get_by_text(draw.seed_sha256, exact=True).is_visible()
    assert tab.locator("table tbody tr").count() == 8
    assert tab.get_by_text("138****0001").is_visible()
    _check(tab, f"lottery-result-{viewport}")
    # The 64-digit hash wraps: the layout stays within the phone's 390 px.
    assert tab.evaluate("document.documentElement.scrollWidth") <= VIEWPORT_WIDTHS[viewport] + 1
    context.close()
