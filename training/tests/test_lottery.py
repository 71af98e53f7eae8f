"""The draw: reproducible from the recorded seed and list, fair to the seats, public and logged."""

import datetime
import hashlib

import pytest
from wagtail.models import PageLogEntry

from training.models import Enrollment, LotteryDraw, LotterySeed
from training.services import lottery
from training.services.enrollment import EnrollmentError, enroll
from training.tests.factories import CourseIndexPageFactory, CoursePageFactory, TermFactory, applicant, seat_counts

pytestmark = pytest.mark.django_db

OPENS = datetime.datetime(2027, 5, 1, tzinfo=datetime.UTC)
CLOSES = datetime.datetime(2027, 5, 10, tzinfo=datetime.UTC)
DURING = OPENS + datetime.timedelta(days=1)
AFTER = CLOSES + datetime.timedelta(hours=1)


@pytest.fixture
def course(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    term = TermFactory(enrollment_opens_at=OPENS, enrollment_closes_at=CLOSES, max_courses_per_participant=3)
    return CoursePageFactory(parent=index, term=term, allocation="lottery", capacity=3, waitlist_size=2)


def fill(course, count):
    for n in range(1, count + 1):
        enroll(course.pk, applicant(n, phone=f"1380000{n:04d}"), now=DURING)


def test_applications_wait_for_the_draw_without_taking_seats(course):
    fill(course, 8)
    assert Enrollment.objects.filter(course=course, status="submitted").count() == 8
    assert seat_counts(course)[0] == 0


def test_draw_places_everyone_and_can_be_recomputed_from_the_record(course, django_user_model):
    fill(course, 8)
    staff = django_user_model.objects.create_user("staff")
    published = LotterySeed.objects.get(course=course).seed_sha256  # fixed when the course was saved
    draw = lottery.run_draw(course.pk, user=staff, now=AFTER)
    assert hashlib.sha256(draw.seed.encode()).hexdigest() == published == draw.seed_sha256
    statuses = list(Enrollment.objects.filter(course=course).values_list("status", flat=True))
    assert (statuses.count("confirmed"), statuses.count("waitlisted"), statuses.count("rejected")) == (3, 2, 3)
    assert seat_counts(course) == (3, 2)

    # Anyone can recompute the order with the recorded seed and the numbered list, without our code.
    numbers = [e["no"] for e in draw.entrants]
    independent = sorted(numbers, key=lambda n: hashlib.sha256(f"{draw.seed}:{n}".encode()).hexdigest())
    assert draw.order == independent
    winners = {draw.entrants[n - 1]["reference"] for n in independent[:3]}
    assert set(Enrollment.objects.filter(status="confirmed").values_list("reference", flat=True)) == winners
    waitlisted = [draw.entrants[n - 1]["reference"] for n in independent[3:5]]
    assert [Enrollment.objects.get(reference=r).waitlist_position for r in waitlisted] == [1, 2]
    lines = "\n".join(f"{e['no']}|{e['name']}|{e['phone']}" for e in draw.entrants)
    assert draw.entrants_hash == hashlib.sha256(lines.encode()).hexdigest()
    assert lottery.verify(draw)
    assert draw.entrants[0]["phone"] == "138****0001" and "*" in draw.entrants[0]["name"]

    entry = PageLogEntry.objects.get(page=course, action="training.lottery")
    assert entry.data["seed"] == draw.seed and entry.user == staff

    # Tampering with the record is detectable.
    draw.order = list(reversed(draw.order))
    assert not lottery.verify(draw)


def test_same_seed_same_list_same_result(course):
    fill(course, 12)
    draw = lottery.run_draw(course.pk, now=AFTER)
    assert lottery.draw_order(draw.seed, range(1, 13)) == draw.order
    assert lottery.draw_order(draw.seed + "x", range(1, 13)) != draw.order


@pytest.mark.parametrize(
    "when, setup, code",
    [(DURING, None, "cannot_draw"), (AFTER, "drawn", "cannot_draw"), (AFTER, "empty", "no_entrants")],
)
def test_draw_is_refused_before_closing_twice_or_without_entrants(course, when, setup, code):
    if setup != "empty":
        fill(course, 4)
    if setup == "drawn":
        lottery.run_draw(course.pk, now=AFTER)
    with pytest.raises(EnrollmentError) as info:
        lottery.run_draw(course.pk, now=when)
    assert info.value.code == code
    assert LotteryDraw.objects.count() == (1 if setup == "drawn" else 0)


def test_admin_draw_with_confirmation_and_public_result(client, course, django_user_model):
    fill(course, 6)
    course.term.enrollment_closes_at = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    course.term.enrollment_opens_at = datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC)
    course.term.save()
    assert client.get(f"/enroll/draw/{course.pk}/").status_code == 200  # before: "结果将在此公布"
    client.force_login(django_user_model.objects.create_superuser("chief", "c@example.cn", "pw"))
    assert "可以摇号" in client.get("/admin/lottery/").content.decode()
    page = client.get(f"/admin/lottery/{course.pk}/").content.decode()
    assert "待摇号报名" in page and "6 人" in page and not LotteryDraw.objects.exists()  # GET changes nothing
    commitment = LotterySeed.objects.get(course=course)
    assert commitment.seed_sha256 in page and commitment.seed not in page  # the seed stays secret until the draw
    response = client.post(f"/admin/lottery/{course.pk}/", {"seed": "chosen-by-staff"})  # ignored
    assert response.status_code == 302
    draw = LotteryDraw.objects.get()
    assert draw.seed == commitment.seed != "chosen-by-staff"
    html = client.get(f"/enroll/draw/{course.pk}/").content.decode()
    assert draw.seed in html and draw.seed_sha256 in html and draw.entrants_hash in html and "（已核验）" in html
    assert html.count("中签录取") == 3 and html.count("未中签") == 1
    assert "138****0001" in html and "13800000001" not in html
    data = client.get(f"/enroll/draw/{course.pk}/?format=json").json()
    assert data["order"] == draw.order and "reference" not in data["entrants"][0]


def test_staff_without_permission_cannot_draw(client, course, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("editor", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    response = client.post(f"/admin/lottery/{course.pk}/", {})
    assert response.status_code in (302, 403)
    assert not LotteryDraw.objects.exists()


def test_verify_draw_command(course):
    from io import StringIO

    from django.core.management import CommandError, call_command

    fill(course, 5)
    draw = lottery.run_draw(course.pk, now=AFTER)
    out = StringIO()
    call_command("verify_draw", course.pk, stdout=out)
    assert "复核通过" in out.getvalue()
    LotteryDraw.objects.filter(pk=draw.pk).update(seed="changed")
    with pytest.raises(CommandError):
        call_command("verify_draw", course.pk, stdout=StringIO())


def test_everyone_is_told_the_outcome(course, django_capture_on_commit_callbacks):
    from training.notifications import LogSmsBackend

    fill(course, 8)
    LogSmsBackend.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        lottery.run_draw(course.pk, now=AFTER)
    texts = [text for _, text in LogSmsBackend.sent]
    assert len(texts) == 8
    assert sum("中签，已录取" in t for t in texts) == 3
    assert sum("候补第" in t for t in texts) == 2
    assert sum("未中签" in t for t in texts) == 3


def test_seed_hash_is_published_when_the_window_opens_and_the_seed_at_the_draw(client, course, monkeypatch):
    """Nobody can choose the seed after seeing the entrants: it is fixed, and its hash public, beforehand."""
    from django.utils import timezone

    commitment = LotterySeed.objects.get(course=course)
    monkeypatch.setattr(timezone, "now", lambda: OPENS - datetime.timedelta(hours=1))
    before = client.get(course.url).text
    assert commitment.seed_sha256 not in before  # published when the window opens
    monkeypatch.setattr(timezone, "now", lambda: DURING)
    during = client.get(course.url).text
    assert commitment.seed_sha256 in during and commitment.seed not in during
    fill(course, 6)
    assert commitment.seed not in client.get(f"/enroll/draw/{course.pk}/").text
    monkeypatch.undo()

    draw = lottery.run_draw(course.pk, now=AFTER)
    assert draw.seed == commitment.seed and hashlib.sha256(draw.seed.encode()).hexdigest() == commitment.seed_sha256
    html = client.get(f"/enroll/draw/{course.pk}/").text
    assert draw.seed in html and commitment.seed_sha256 in html and "核对种子未被更换" in html
    assert "无。所有录取名额均来自本次摇号。" in html
    data = client.get(f"/enroll/draw/{course.pk}/?format=json").json()
    assert data["seed_sha256"] == commitment.seed_sha256 and data["seed"] == draw.seed


def test_seats_confirmed_outside_the_draw_are_listed(client, course):
    from training.services.enrollment import cancel, promote

    fill(course, 8)
    draw = lottery.run_draw(course.pk, now=AFTER)
    winner = Enrollment.objects.get(reference=draw.entrants[draw.order[0] - 1]["reference"])
    first_waiting = Enrollment.objects.get(reference=draw.entrants[draw.order[3] - 1]["reference"])
    second_waiting = Enrollment.objects.get(reference=draw.entrants[draw.order[4] - 1]["reference"])
    cancel(winner.pk, by="applicant", now=AFTER)  # the first on the waitlist moves up, in draw order
    promote(second_waiting.pk)  # staff add one above capacity
    html = client.get(f"/enroll/draw/{course.pk}/").text
    assert "摇号以外录取的名额" in html
    assert f"{first_waiting.masked_participant}（{first_waiting.masked_phone}）：候补递补（按摇号顺序）" in html
    assert f"{second_waiting.masked_participant}（{second_waiting.masked_phone}）" in html
    assert lottery.verify(LotteryDraw.objects.get())
