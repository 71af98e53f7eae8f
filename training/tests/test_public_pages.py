"""What parents see: eligibility before the form, the confirmation page, the lottery lookup by reference."""

import datetime

import pytest
from django.utils import timezone

from culture.models import Venue
from training.models import Enrollment, Teacher
from training.services import lottery
from training.services.enrollment import enroll
from training.tests.factories import CourseIndexPageFactory, CoursePageFactory, TermFactory, applicant

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def paid_course(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    course = CoursePageFactory(
        parent=index,
        title="围棋入门",
        term=TermFactory(
            age_cutoff_date=D(2027, 9, 1),
            enrollment_opens_at=timezone.now() - datetime.timedelta(days=1),
            enrollment_closes_at=timezone.now() + datetime.timedelta(days=10),
        ),
        age_min=6,
        age_max=12,
        fee=480,
        payment_instructions="凭报名编号到一楼服务台缴费，可用现金或扫码。",
        payment_deadline=timezone.now() + datetime.timedelta(days=20),
        documents="户口簿原件\n一寸照片 1 张",
        weekdays="6",
        start_time=datetime.time(14, 0),
        end_time=datetime.time(15, 30),
        first_lesson=D(2027, 9, 4),
        lessons=6,
        teacher=Teacher.objects.create(name="周老师", title="围棋五段"),
        venue=Venue.objects.create(name="工人文化宫", room="三楼棋室", address="海宁市工人路 1 号"),
    )
    course.save_revision().publish()
    return course


def test_eligibility_shown_before_the_form(paid_course, client, settings):
    html = client.get(paid_course.url).content.decode()
    eligibility = html.index('class="eligibility"')
    assert eligibility < html.index('<form class="form"')
    block = html[eligibility : html.index('<form class="form"')]
    # Age 6–12 at 1 Sept 2027 ⇔ born 2 Sept 2014 … 1 Sept 2021.
    assert "即 2014年9月2日 至 2021年9月1日出生" in block
    assert "最多报名 2 门课程（含候补）" in block
    assert "户口簿原件；一寸照片 1 张" in block
    assert "本站不提供在线支付" in block
    # The schedule line is generated from the dates: 9月4日 is a Saturday, 10月2日 is inside 国庆.
    assert "每周六 14:00–15:30，2027年9月4日至10月16日，共 6 次课（节假日停课 1 次）" in html


def test_confirmation_page_has_next_steps(paid_course, client):
    enrollment = enroll(paid_course.pk, applicant(1, birth=D(2018, 3, 1))).enrollment
    html = client.get(f"/enroll/{enrollment.reference}/").content.decode()
    assert 'aria-label="面包屑导航"' in html and "围棋入门" in html and "报名结果" in html
    assert "缴费 ¥480" in html and "凭报名编号到一楼服务台缴费" in html and "本站不提供在线支付" in html
    assert "户口簿原件；一寸照片 1 张" in html
    assert "三楼棋室" in html and "周老师" in html
    assert "我的报名" in html  # how to cancel
    assert "9月4日 星期六" in html  # lesson dates
    assert f'href="/enroll/{enrollment.reference}/lessons.ics"' in html
    assert "data-wechat-hint hidden" in html  # shown by script only inside WeChat
    ics = client.get(f"/enroll/{enrollment.reference}/lessons.ics")
    assert ics.status_code == 200 and b"BEGIN:VEVENT" in ics.content
    assert client.get("/enroll/ZZZZZZZZ/lessons.ics").status_code == 404


@pytest.fixture
def drawn(site_root):
    opens = datetime.datetime(2027, 5, 1, tzinfo=datetime.UTC)
    closes = datetime.datetime(2027, 5, 10, tzinfo=datetime.UTC)
    index = CourseIndexPageFactory(parent=site_root)
    term = TermFactory(enrollment_opens_at=opens, enrollment_closes_at=closes, max_courses_per_participant=3)
    course = CoursePageFactory(parent=index, term=term, allocation="lottery", capacity=2, waitlist_size=1)
    for n in range(1, 6):
        enroll(course.pk, applicant(n, phone=f"1380000{n:04d}"), now=opens + datetime.timedelta(days=1))
    lottery.run_draw(course.pk, now=closes + datetime.timedelta(hours=1))
    return course


def test_lottery_result_found_by_reference_code(drawn, client):
    enrollment = Enrollment.objects.filter(course=drawn).order_by("pk")[2]
    enrollment.refresh_from_db()
    expected = {"confirmed": "中签录取", "waitlisted": "候补第 1 位", "rejected": "未中签"}[enrollment.status]
    url = f"/enroll/draw/{drawn.pk}/"
    # Typed in lower case with spaces, as people do.
    code = " ".join(enrollment.reference.lower()[i : i + 4] for i in (0, 4))
    html = client.get(url, {"code": code}).content.decode()
    assert f"报名编号 <strong>{enrollment.reference}</strong>" in html
    assert f"结果：<strong>{expected}</strong>" in html
    assert 'class="is-mine" aria-current="true"' in html
    assert html.count("is-mine") == 1
    missing = client.get(url, {"code": "ABCDEFGH"})
    assert missing.status_code == 404 and "没有找到报名编号 ABCDEFGH" in missing.content.decode()
    # The table never shows the references themselves.
    plain = client.get(url).content.decode()
    assert enrollment.reference not in plain and "摇号序号" in plain
