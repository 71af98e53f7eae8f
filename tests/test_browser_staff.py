"""Enrollment staff at 1280 px in the admin: a walk-in enrolled at the counter (slip printed), found again,
cancelled; the course exported and the files opened as the office would (openpyxl; CSV with its BOM);
the dashboard and the sign-in sheet. Screenshots in var/screenshots/staff/, axe on our own pages."""

import csv
import datetime
import io
import os
import re
from pathlib import Path

import openpyxl
import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parent.parent / "var" / "screenshots" / "staff"))
PASSWORD = "counter-2027"


@pytest.fixture
def staff_site(live_server):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import Site

    from haining.testing import ensure_wagtail_base_rows
    from home.tests.factories import HomePageFactory
    from training.services.enrollment import enroll
    from training.tests.factories import CourseIndexPageFactory, CoursePageFactory, TermFactory, applicant

    root = ensure_wagtail_base_rows()
    home = HomePageFactory(parent=root, title="海宁市总工会", slug="home-staff")
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", port=live_server.thread.port, root_page=home, is_default_site=True)
    now = datetime.datetime.now(datetime.UTC)
    term = TermFactory(
        name="2027 年暑期",
        enrollment_opens_at=now - datetime.timedelta(hours=5),
        enrollment_closes_at=now + datetime.timedelta(days=20),
        starts_on=datetime.date(2027, 7, 5),
        ends_on=datetime.date(2100, 1, 1),
        max_courses_per_participant=3,
    )
    index = CourseIndexPageFactory(parent=home)
    guzheng = CoursePageFactory(
        parent=index, title="少儿古筝启蒙班", term=term, capacity=12, waitlist_size=6, weekdays="6", lessons=10
    )
    for n, title in enumerate(["少儿书法（软笔）", "围棋入门", "少儿中国舞", "机器人编程"]):
        course = CoursePageFactory(parent=index, title=title, term=term, capacity=8 + 4 * n, waitlist_size=5)
        for k in range(3 + 5 * n):
            enroll(course.pk, applicant(100 + 20 * n + k), now=now)
    names = ["欧阳·娜娜", "王小明", "李思远", "张雨桐", "陈梓轩", "刘一诺", "赵子涵", "孙浩然"]
    for k, name in enumerate(names):
        enroll(guzheng.pk, applicant(k + 1, participant_name=name), now=now)

    group, _ = Group.objects.get_or_create(name="报名管理员")
    group.permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "access_admin",
                "view_enrollment",
                "change_enrollment",
                "add_enrollment",
                "view_personal_data",
            ]
        )
    )
    user = get_user_model().objects.create_user("counter", password=PASSWORD, first_name="周", last_name="敏")
    user.groups.add(group)
    return live_server.url.replace("127.0.0.1", "localhost"), guzheng


def shoot(page, name, axe=True):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    if axe:
        # Colours are measured once transitions end (Wagtail's messages fade in: mid-fade they are pale).
        page.evaluate("() => Promise.all(document.getAnimations().map((animation) => animation.finished))")
        # Our own content: Wagtail's frame is Wagtail's to answer for.
        result = Axe().run(page, context={"include": [["main"]]})
        assert result.violations_count == 0, result.generate_report()


def login(page, base):
    page.goto(base + "/admin/login/")
    page.fill("input[name=username]", "counter")
    page.fill("input[name=password]", PASSWORD)
    page.locator("button[type=submit]").click()
    page.wait_for_url(base + "/admin/")


def open_header_menu(page):
    """The header's 更多 menu (the download links live there)."""
    page.locator("[data-w-dropdown-target='toggle']").filter(has=page.locator(".icon-dots-horizontal")).first.click()


def test_counter_enrollment_find_cancel_export(browser, staff_site):
    from training.models import Enrollment
    from training.tests.factories import id_number

    base, course = staff_site
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, device_scale_factor=1, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    login(page, base)
    shoot(page, "dashboard", axe=False)
    assert page.get_by_role("heading", name="报名概况 · 2027 年暑期").is_visible()

    # A grandmother at the counter enrolls her granddaughter.
    page.goto(base + "/admin/enrollments/")
    page.get_by_role("link", name="现场/电话报名").first.click()
    page.wait_for_load_state()
    page.get_by_label("课程").select_option(label="少儿古筝启蒙班（2027 年暑期）")
    page.get_by_label("现场").check()
    page.get_by_label("报名人（家长/本人）姓名").fill("陈桂英")
    page.get_by_label("手机号码").fill("１３９５７３０ ８８６６")
    page.get_by_label("学员姓名").fill("陈·小雨")
    page.get_by_label("学员身份证号").fill(id_number(datetime.date(2019, 2, 14), 42, female=True))
    page.get_by_label("已向报名人说明", exact=False).check()
    shoot(page, "counter-form")
    page.get_by_role("button", name="提交报名").click()
    page.wait_for_load_state()
    walk_in = Enrollment.objects.get(participant_name="陈·小雨")
    assert walk_in.source == "counter" and walk_in.status == "confirmed" and walk_in.phone == "13957308866"
    assert page.get_by_text(f"报名成功：{walk_in.reference}").is_visible()
    shoot(page, "enrollment-page")

    page.get_by_role("link", name="打印报名回执").click()
    page.wait_for_load_state()
    assert page.get_by_text(walk_in.reference).first.is_visible()
    shoot(page, "slip")

    # Later: found again by phone number, cancelled.
    page.goto(base + "/admin/enrollments/?q=13957308866")
    assert page.locator("table.listing tbody tr").count() == 1
    page.get_by_role("link", name=walk_in.reference).click()
    page.wait_for_load_state()
    page.get_by_role("link", name="取消报名").click()
    page.get_by_role("button", name="确认取消报名").click()
    page.wait_for_load_state()
    walk_in.refresh_from_db()
    assert walk_in.status == "cancelled" and walk_in.cancelled_by == "staff"
    assert page.get_by_text("已取消该报名").is_visible()

    # The course exported: XLSX and CSV, opened as the office opens them.
    page.goto(base + f"/admin/enrollments/?course={course.pk}")
    roster = page.locator("[data-roster]")
    assert roster.get_by_text("少儿古筝启蒙班").first.is_visible()
    with page.expect_download() as download:
        open_header_menu(page)
        page.get_by_role("link", name=re.compile(r"^下载\s*XLSX$")).click()  # not a reference code like CSV2TPWD
    assert download.value.suggested_filename.startswith("报名名单-少儿古筝启蒙班-")
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert len(rows) == 9
    row = {heading: cell for heading, cell in zip(header, rows[walk_in.reference], strict=True)}
    assert row["状态"].value == "已取消" and row["性别"].value == "女" and row["报名方式"].value == "现场"
    assert row["工会会员"].value == "否"
    assert row["证件号码"].value == walk_in.id_number and row["证件号码"].data_type == "s"
    assert row["手机号码"].value == "13957308866" and row["手机号码"].data_type == "s"
    local = walk_in.created_at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).replace(tzinfo=None)
    assert row["提交时间（北京时间）"].value == local.replace(microsecond=0)

    page.reload()
    with page.expect_download() as download:
        open_header_menu(page)
        page.get_by_role("link", name=re.compile(r"^下载\s*CSV$")).click()
    assert download.value.suggested_filename.endswith(".csv")
    raw = Path(download.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = {line["报名编号"]: line for line in csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))}
    assert lines[walk_in.reference]["状态"] == "已取消"
    assert lines[walk_in.reference]["证件号码"].strip() == walk_in.id_number

    # The teacher's sign-in sheet for the course.
    page.goto(base + f"/admin/enrollments/signin/{course.pk}/")
    assert page.get_by_role("heading", name="少儿古筝启蒙班 签到表").is_visible()
    assert page.get_by_text("欧阳·娜娜").is_visible()
    shoot(page, "signin-sheet")
    context.close()
