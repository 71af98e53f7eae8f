"""What a parent sees when the details are typed the way people type them (issue #12), at phone and
desktop width with axe: hidden characters and a landline refused next to their fields, then full-width
digits and a lowercase x accepted; a request carrying NUL gets the Chinese 400 page."""

import datetime

import pytest

from tests.test_browser_home import _check, _open, demo_site  # noqa: F401 - shared fixture and helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture
def course(demo_site):  # noqa: F811
    from home.models import HomePage
    from training.tests.factories import CourseIndexPageFactory, CoursePageFactory, TermFactory

    term = TermFactory(
        name="2027 年暑期",
        enrollment_opens_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
        enrollment_closes_at=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC),
    )
    index = CourseIndexPageFactory(parent=HomePage.objects.get(), title="培训课程")
    course = CoursePageFactory(parent=index, title="少儿古筝启蒙班", slug="guzheng", term=term, capacity=3)
    return demo_site, course


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_hidden_characters_and_landlines_refused_full_width_accepted(browser, course, viewport):
    from training.models import Enrollment
    from training.tests.factories import id_number

    base, course_page = course
    number = id_number(datetime.date(2018, 5, 1), 5)
    page = _open(browser, viewport).new_page()
    page.goto(base + course_page.url)
    page.get_by_label("报名人（家长/本人）姓名").fill("\u200b\u200b")
    page.get_by_label("手机号码").fill("0573-8700 1234")
    page.get_by_label("学员姓名").fill("阿卜杜拉·𠮷\u202e")
    page.get_by_label("学员身份证号").fill(number.lower())
    page.get_by_label("我已阅读并同意", exact=False).check()
    page.get_by_role("button", name="提交报名").click()
    page.wait_for_load_state()
    assert "报名人姓名中含有不可见字符" in page.locator("#id_applicant_name_error").inner_text()
    assert "固定电话收不到短信" in page.locator("#id_phone_error").inner_text()
    assert "学员姓名中含有改变文字方向的隐藏字符" in page.locator("#id_participant_name_error").inner_text()
    _check(page, f"applicant-errors-{viewport}")
    assert not Enrollment.objects.exists()

    page.get_by_label("报名人（家长/本人）姓名").fill("买买提•吐尔逊")
    page.get_by_label("手机号码").fill("＋８６ " + "139 0000 0005".translate(FULL_WIDTH))
    page.get_by_label("学员姓名").fill("阿卜杜拉·𠮷")
    page.get_by_label("我已阅读并同意", exact=False).check()
    page.get_by_role("button", name="提交报名").click()
    page.wait_for_load_state()
    enrollment = Enrollment.objects.get()
    assert (enrollment.phone, enrollment.participant_name, enrollment.id_number) == (
        "13900000005",
        "阿卜杜拉·𠮷",
        number,
    )
    assert enrollment.reference in page.content()

    page.goto(base + "/enroll/" + enrollment.reference + "%00/")
    assert page.get_by_role("heading", name="抱歉，这个请求无法处理").is_visible()
    _check(page, f"bad-request-{viewport}")
