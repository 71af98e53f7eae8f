"""Exports as the office opens them: XLSX with openpyxl, CSV as Excel reads it (UTF-8 with BOM)."""

import csv
import datetime
import io
import re
from urllib.parse import unquote

import openpyxl
import pytest
from django.contrib.auth.models import Group, Permission

from training.exports import clean_text, content_disposition, neutralise_csv, sheet_title
from training.models import Enrollment, mask_name
from training.services.enrollment import enroll
from training.tests.factories import OPEN, CourseIndexPageFactory, CoursePageFactory, TermFactory, applicant, id_number

pytestmark = pytest.mark.django_db

# 01:30 UTC is 09:30 in Beijing: the column first-come-first-served disputes rely on.
SUBMITTED_UTC = datetime.datetime(2027, 5, 20, 1, 30, 5, tzinfo=datetime.UTC)


@pytest.fixture
def term_courses(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    term = TermFactory(name="2027 年暑期", **OPEN)
    guzheng = CoursePageFactory(parent=index, title="少儿古筝启蒙班", term=term, capacity=1, waitlist_size=3)
    calligraphy = CoursePageFactory(parent=index, title="少儿书法：硬笔/软笔", term=term, capacity=20)
    girl = applicant(
        1,
        id_number=id_number(datetime.date(2018, 3, 1), 1, female=True),
        gender="F",
        participant_name="欧阳·娜娜",
        email="mama@example.cn",
        union_member=True,
    )
    first = enroll(guzheng.pk, girl).enrollment
    second = enroll(guzheng.pk, applicant(2, employer='=HYPERLINK("http://x.example","点我")')).enrollment
    third = enroll(calligraphy.pk, applicant(3, participant_name="王\x0b小明\x07")).enrollment
    Enrollment.objects.filter(pk=first.pk).update(created_at=SUBMITTED_UTC)
    return term, guzheng, calligraphy, [first, second, third]


def staff(client, django_user_model, personal=True):
    user = django_user_model.objects.create_user("office", password="pw")
    if personal:
        user.groups.add(Group.objects.get(name="报名管理员"))
    else:
        user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "view_enrollment"]))
    client.force_login(user)
    return user


def download(client, **params):
    response = client.get("/admin/enrollments/", params)
    assert response.status_code == 200, response.content[:500]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def rows_of(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_xlsx_has_chinese_labels_local_times_and_text_ids(client, django_user_model, term_courses):
    term, guzheng, calligraphy, (first, second, third) = term_courses
    staff(client, django_user_model)
    response, body = download(client, export="xlsx", course=guzheng.pk)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    assert workbook.sheetnames == ["报名名单"]
    sheet = workbook.active
    header, *rows = rows_of(sheet)
    assert header[:5] == ["报名编号", "课程", "学期", "状态", "候补序号"]
    col = {name: i for i, name in enumerate(header)}
    by_ref = {row[col["报名编号"]]: row for row in rows}
    girl, boy = by_ref[first.reference], by_ref[second.reference]
    assert girl[col["状态"]] == "已录取" and boy[col["状态"]] == "候补中" and boy[col["候补序号"]] == 1
    assert girl[col["性别"]] == "女" and boy[col["性别"]] == "男"
    assert girl[col["工会会员"]] == "是" and boy[col["工会会员"]] == "否"
    assert girl[col["报名方式"]] == "网上（网站）"
    assert girl[col["学员姓名"]] == "欧阳·娜娜"
    assert girl[col["提交时间（北京时间）"]] == datetime.datetime(2027, 5, 20, 9, 30, 5)
    assert girl[col["出生日期"]] == datetime.datetime(2018, 3, 1)
    # ID and phone numbers are text cells formatted as text: Excel shows all 18 digits.
    for row_number, enrollment in ((2, first), (3, second)):
        for heading, value in (("证件号码", enrollment.id_number), ("手机号码", enrollment.phone)):
            cell = sheet.cell(row=row_number, column=col[heading] + 1)
            assert cell.value == value and cell.data_type == "s" and cell.number_format == "@"
    # A formula typed into a field stays text.
    employer = sheet.cell(row=3, column=col["工作单位"] + 1)
    assert employer.value.startswith("=HYPERLINK") and employer.data_type == "s"
    assert employer.quotePrefix


def test_xlsx_of_a_term_has_a_sheet_per_course_and_a_summary(client, django_user_model, term_courses):
    term, guzheng, calligraphy, (first, second, third) = term_courses
    staff(client, django_user_model)
    _, body = download(client, export="xlsx", term=term.pk)
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    # Excel forbids / in sheet names; the course's sheet keeps the rest of its title.
    assert workbook.sheetnames == ["汇总", "少儿书法：硬笔_软笔", "少儿古筝启蒙班"]
    summary = rows_of(workbook["汇总"])
    assert summary[0][:5] == ["课程", "学期", "合计", "已录取", "候补递补待确认"]
    assert summary[2][:6] == ["少儿古筝启蒙班", "2027 年暑期", 2, 1, 0, 1]
    guzheng_rows = rows_of(workbook["少儿古筝启蒙班"])[1:]
    assert [row[0] for row in guzheng_rows] == [first.reference, second.reference]
    # Control characters the site once accepted are removed, the name is kept.
    calligraphy_rows = rows_of(workbook["少儿书法：硬笔_软笔"])
    assert calligraphy_rows[1][5] == "王小明"


def test_csv_has_bom_labels_text_ids_and_neutralised_formulas(client, django_user_model, term_courses):
    term, guzheng, calligraphy, (first, second, third) = term_courses
    staff(client, django_user_model)
    response, body = download(client, export="csv", course=guzheng.pk, status="waitlisted")
    assert body.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert len(rows) == 2 and header[0] == "报名编号"
    assert row["状态"] == "候补中" and row["性别"] == "男" and row["工会会员"] == "否"
    # A leading tab keeps Excel from turning 18 digits into 3.30481E+17.
    assert row["证件号码"] == "\t" + second.id_number and row["手机号码"] == "\t" + second.phone
    assert row["工作单位"] == '\'=HYPERLINK("http://x.example","点我")'
    # The Chinese file name survives (RFC 6266 filename*), with an ASCII fallback.
    disposition = response["Content-Disposition"]
    match = re.search(r"filename\*=UTF-8''([^;]+)", disposition)
    assert match and re.fullmatch(r"报名名单-少儿古筝启蒙班-候补中-\d{8}-\d{4}\.csv", unquote(match.group(1)))
    assert re.search(r'filename="enrollments-\d{8}-\d{4}\.csv"', disposition)


def test_csv_times_are_beijing_time(client, django_user_model, term_courses):
    term, guzheng, calligraphy, (first, *_) = term_courses
    staff(client, django_user_model)
    _, body = download(client, export="csv", course=guzheng.pk, status="confirmed")
    row = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))[0]
    assert row["提交时间（北京时间）"] == "2027-05-20 09:30:05"


def test_masked_exports_without_personal_data_permission(client, django_user_model, term_courses):
    term, guzheng, calligraphy, (first, second, third) = term_courses
    staff(client, django_user_model, personal=False)
    _, body = download(client, export="xlsx", course=guzheng.pk)
    header, *rows = rows_of(openpyxl.load_workbook(io.BytesIO(body)).active)
    assert "电子邮箱" not in header
    text = repr(rows)
    assert first.id_number not in text and first.phone not in text and "欧阳·娜娜" not in text
    row = dict(zip(header, rows[0], strict=True))
    # Neither the ID's birth-date digits nor the birth date itself: the number cannot be rebuilt.
    assert row["证件号码"] == first.id_number[:2] + "*" * 14 + first.id_number[-2:]
    assert "出生日期" not in header and row["出生年份"] == str(first.birth_date.year)
    assert f"{first.birth_date:%Y-%m-%d}" not in text
    assert row["手机号码"] == first.phone[:3] + "****" + first.phone[-4:]
    assert row["学员姓名"] == mask_name("欧阳·娜娜") != "欧阳·娜娜"
    _, body = download(client, export="csv", course=guzheng.pk)
    assert first.id_number not in body.decode("utf-8-sig") and "mama@example.cn" not in body.decode("utf-8-sig")


def test_export_queries_do_not_grow_with_rows(client, django_user_model, term_courses, django_assert_max_num_queries):
    term, guzheng, calligraphy, made = term_courses
    staff(client, django_user_model)
    with django_assert_max_num_queries(12) as small:
        download(client, export="xlsx", term=term.pk)
    for n in range(10, 20):
        enroll(calligraphy.pk, applicant(n))
    with django_assert_max_num_queries(len(small.captured_queries)):
        download(client, export="xlsx", term=term.pk)
    with django_assert_max_num_queries(len(small.captured_queries)):
        download(client, export="csv", term=term.pk)


def test_cell_helpers():
    assert clean_text("张\x00三\x1f\ufffe\ud800") == "张三"
    assert clean_text("A\tB\nC") == "A\tB\nC"
    for text in ("=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise_csv(text) == "'" + text
    assert neutralise_csv("张三") == "张三"
    taken = set()
    assert sheet_title("少儿古筝[周六]:A/B*?", taken) == "少儿古筝_周六__A_B__"
    long = "职工技能培训" * 10
    assert sheet_title(long, taken) == long[:31]
    assert sheet_title(long, taken) == long[:28] + "（2）"
    header = content_disposition("报名名单.xlsx", "enrollments.xlsx")
    assert (
        header
        == "attachment; filename=\"enrollments.xlsx\"; filename*=UTF-8''%E6%8A%A5%E5%90%8D%E5%90%8D%E5%8D%95.xlsx"
    )
