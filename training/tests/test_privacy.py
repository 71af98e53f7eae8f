"""Masking that cannot be undone (issue #14): without `training.view_personal_data`, nothing in the list,
the export (CSV and XLSX), the inspect page or the logs lets anyone rebuild an ID number or a phone.

"Rebuild" is measured, not assumed: for each enrollment the test gathers everything a masked screen shows
about it (masked ID, birth column, gender), assumes the attacker also knows the exact area code, and
counts the 18-character ID numbers (valid check character) that agree with all of it.
"""

import csv
import datetime
import io
import logging
import re

import openpyxl
import pytest
from django.contrib.auth.models import Group, Permission
from stdnum.cn import ric

from training.services import privacy
from training.services.enrollment import enroll
from training.tests.factories import OPEN, CourseIndexPageFactory, CoursePageFactory, TermFactory, applicant

pytestmark = pytest.mark.django_db

MIN_CANDIDATES = 1000

# Real spread: Haining, Hangzhou, Xinjiang (names with ·), Beijing; children and adults; X check characters.
PEOPLE = [
    ("330481", datetime.date(2018, 3, 1), "王小明"),
    ("330106", datetime.date(2016, 12, 31), "买买提·艾力"),
    ("650102", datetime.date(2019, 2, 28), "阿依古丽"),
    ("110105", datetime.date(2017, 7, 9), "李娜"),
]


def make_id(area: str, birth: datetime.date, seq: int) -> str:
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body)


def candidates(masked: str, area: str, year: int, gender: str, exact_birth: datetime.date | None = None) -> int:
    """How many ID numbers agree with a masked value, a birth year (or date), the gender and a known area."""
    known = {i: ch for i, ch in enumerate(masked) if ch != "*"}
    if len(masked) != 18:
        return 10**6
    days = [exact_birth] if exact_birth else []
    if not days:
        day = datetime.date(year, 1, 1)
        while day.year == year:
            days.append(day)
            day += datetime.timedelta(days=1)
    count = 0
    for day in days:
        prefix = f"{area}{day:%Y%m%d}"
        if any(prefix[i] != ch for i, ch in known.items() if i < 14):
            continue
        for seq in range(1000):
            if (seq % 2 == 1) != (gender == "M"):
                continue
            body = f"{prefix}{seq:03d}"
            if any(body[i] != ch for i, ch in known.items() if 14 <= i < 17):
                continue
            if 17 in known and ric.calc_check_digit(body) != known[17]:
                continue
            count += 1
    return count


def test_the_measure_catches_the_old_masking():
    """Control: the old mask (first 6 + last 4) plus the birth-date column leaves exactly one candidate."""
    number = make_id("330481", datetime.date(2018, 3, 1), 3)
    old = f"{number[:6]}********{number[-4:]}"
    assert candidates(old, "330481", 2018, "M", exact_birth=datetime.date(2018, 3, 1)) == 1
    assert candidates(privacy.mask_id_number(number), "330481", 2018, "M") >= MIN_CANDIDATES


@pytest.fixture
def made(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    course = CoursePageFactory(
        parent=index, title="少儿古筝启蒙班", term=TermFactory(**OPEN), capacity=10, age_min=None, age_max=None
    )
    result = []
    for seq, (area, birth, name) in enumerate(PEOPLE, start=1):
        number = make_id(area, birth, 100 + seq)
        person = applicant(seq, birth=birth, id_number=number, participant_name=name, gender="M" if seq % 2 else "F")
        result.append(enroll(course.pk, person).enrollment)
    return result


@pytest.fixture
def masked_staff(client, django_user_model):
    user = django_user_model.objects.create_user("viewer", password="pw")
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", "view_enrollment", "change_enrollment"])
    )
    client.force_login(user)
    return client


def _assert_not_rebuildable(text: str, enrollment, masked_value: str, birth_shown: str):
    number = enrollment.id_number
    birth = enrollment.birth_date
    for leak in (number, number[6:14], f"{birth:%Y-%m-%d}", f"{birth:%Y%m%d}", f"{birth:%Y年%-m月%-d日}"):
        assert leak not in text, leak
    assert enrollment.phone not in text
    assert birth_shown == str(birth.year)
    gender = "M" if int(number[16]) % 2 else "F"
    assert candidates(masked_value, number[:6], birth.year, gender) >= MIN_CANDIDATES


def test_masked_csv_export_cannot_rebuild_an_id_number(masked_staff, made):
    response = masked_staff.get("/admin/enrollments/", {"export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row["报名编号"]: row for row in csv.DictReader(io.StringIO(text))}
    for enrollment in made:
        row = rows[enrollment.reference]
        _assert_not_rebuildable(text, enrollment, row["证件号码"].lstrip("\t"), row["出生年份"])
        assert row["学员姓名"] == privacy.mask_name(enrollment.participant_name)


def test_masked_xlsx_export_cannot_rebuild_an_id_number(masked_staff, made):
    response = masked_staff.get("/admin/enrollments/", {"export": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    rows = {
        r[header.index("报名编号")]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(2, values_only=True)
    }
    everything = " ".join(str(v) for row in rows.values() for v in row.values())
    for enrollment in made:
        row = rows[enrollment.reference]
        _assert_not_rebuildable(everything, enrollment, row["证件号码"], str(row["出生年份"]))


def test_masked_inspect_page_cannot_rebuild_an_id_number(masked_staff, made):
    for enrollment in made:
        html = masked_staff.get(f"/admin/enrollments/inspect/{enrollment.pk}/").text
        masked = re.search(r"\d{2}\*{14}[\dX]{2}", html).group(0)
        assert enrollment.participant_name not in html and enrollment.applicant_name not in html
        _assert_not_rebuildable(html, enrollment, masked, str(enrollment.birth_date.year))


def test_staff_with_the_permission_see_everything(client, django_user_model, made):
    user = django_user_model.objects.create_user("registrar", password="pw")
    user.groups.add(Group.objects.get(name="报名管理员"))
    client.force_login(user)
    html = client.get(f"/admin/enrollments/inspect/{made[0].pk}/").text
    assert made[0].id_number in html and made[0].phone in html
    text = b"".join(client.get("/admin/enrollments/", {"export": "csv"}).streaming_content).decode("utf-8-sig")
    assert all(e.id_number in text and f"{e.birth_date:%Y-%m-%d}" in text for e in made)


def test_logs_carry_no_phone_or_id_number():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(privacy.MaskPersonalDataFilter())
    log = logging.getLogger("test.privacy")
    log.addHandler(handler)
    try:
        number = make_id("330481", datetime.date(2018, 3, 1), 7)
        log.warning("SMS to %s failed for %s", "13912345678", number)
        log.warning("from +86 139-1234-5678 at 2026-11-30 08:03:39")
        try:
            raise ValueError(f"bad phone 13912345678 id {number}")
        except ValueError:
            log.exception("boom")
    finally:
        log.removeHandler(handler)
    text = stream.getvalue()
    assert "13912345678" not in text and "1234-5678" not in text and number not in text
    assert "139****5678" in text and privacy.mask_id_number(number) in text
    assert "2026-11-30 08:03:39" in text  # timestamps are not mistaken for phone numbers


def test_the_sms_log_backend_masks_the_phone(caplog):
    from notices.sms import LogSmsBackend, SmsMessage

    with caplog.at_level(logging.INFO, logger="notices.sms"):
        LogSmsBackend().send(SmsMessage(phone="13912345678", text="测试"))
    assert "13912345678" not in caplog.text and "139****5678" in caplog.text
    LogSmsBackend.outbox.clear()


@pytest.mark.parametrize(
    "value, masked",
    [
        ("13912345678", "139****5678"),
        ("", ""),
        ("123", "****"),
    ],
)
def test_phone_masking(value, masked):
    assert privacy.mask_phone(value) == masked


def test_name_masking_keeps_rare_characters_and_middle_dots():
    assert privacy.mask_name("买买提·艾力") == "买*力"
    assert privacy.mask_name("𠮷野") == "𠮷*"
    assert privacy.mask_email("zhang@example.cn") == "z***@example.cn"
