"""The draw (摇号) for courses in lottery mode: reproducible by anyone, recorded, and logged.

Method (published on the result page): the applications submitted during the window are frozen in
submission order and numbered 1…N; each number n gets the key SHA-256("<seed>:<n>") in hex; the order
of the draw is the numbers sorted by key. The seed is 32 random hex digits drawn at the moment of the
draw (or given by staff, e.g. announced in advance). Winners are confirmed up to the free seats, the
next go to the waitlist in draw order up to its size, the rest are not admitted (未中签).
Anyone holding the seed and the numbered list can recompute the order with ten lines of code; the
SHA-256 of the published list ("<n>|<masked name>|<masked phone>" lines) ties the list to the record.
"""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from training.models import Allocation, CoursePage, Enrollment, EnrollmentStatus, LotteryDraw
from training.notifications import notify
from training.services.enrollment import EnrollmentError, _lock_course


def draw_key(seed: str, number: int) -> str:
    return hashlib.sha256(f"{seed}:{number}".encode()).hexdigest()


def draw_order(seed: str, numbers) -> list[int]:
    return sorted(numbers, key=lambda n: draw_key(seed, n))


def published_lines(entrants: list[dict]) -> str:
    return "\n".join(f"{e['no']}|{e['name']}|{e['phone']}" for e in entrants)


def entrants_hash(entrants: list[dict]) -> str:
    return hashlib.sha256(published_lines(entrants).encode()).hexdigest()


def verify(draw: LotteryDraw) -> bool:
    """True when the recorded order and hash follow from the recorded seed and list."""
    numbers = [e["no"] for e in draw.entrants]
    return draw.order == draw_order(draw.seed, numbers) and draw.entrants_hash == entrants_hash(draw.entrants)


def can_draw(course: CoursePage, now=None) -> tuple[bool, str]:
    now = now or timezone.now()
    if course.allocation != Allocation.LOTTERY:
        return False, "该课程不是摇号录取。"
    if now < course.window_closes_at:
        return False, "报名尚未截止，截止后才能摇号。"
    if LotteryDraw.objects.filter(course_id=course.pk).exists():
        return False, "该课程已经摇过号，结果不可重摇。"
    return True, ""


def run_draw(course_id: int, *, user=None, seed: str = "", now=None) -> LotteryDraw:
    """Freeze the entrants, draw, and place every entrant: confirmed, waitlisted or not admitted."""
    now = now or timezone.now()
    seed = (seed or secrets.token_hex(16)).strip()
    if not seed or len(seed) > 64:
        raise EnrollmentError("bad_seed", "随机种子须为 1–64 个字符。")
    with transaction.atomic():
        course = _lock_course(course_id, True)
        allowed, reason = can_draw(course, now)
        if not allowed:
            raise EnrollmentError("cannot_draw", reason)
        applications = list(
            Enrollment.objects.filter(course=course, status=EnrollmentStatus.SUBMITTED).order_by("created_at", "pk")
        )
        if not applications:
            raise EnrollmentError("no_entrants", "没有待摇号的报名。")
        entrants = [
            {"no": n, "reference": e.reference, "name": e.masked_participant, "phone": e.masked_phone}
            for n, e in enumerate(applications, start=1)
        ]
        by_number = dict(zip(range(1, len(applications) + 1), applications, strict=True))
        order = draw_order(seed, by_number)
        seats = max(course.capacity - course.confirmed_count, 0)
        waitlist_seats = max(course.waitlist_size - course.waitlist_count, 0)
        for rank, number in enumerate(order):
            enrollment = by_number[number]
            if rank < seats:
                enrollment.status = EnrollmentStatus.CONFIRMED
                course.confirmed_count += 1
            elif rank < seats + waitlist_seats:
                enrollment.status = EnrollmentStatus.WAITLISTED
                course.waitlist_count += 1
                enrollment.waitlist_position = course.waitlist_count
            else:
                enrollment.status = EnrollmentStatus.REJECTED
        Enrollment.objects.bulk_update(applications, ["status", "waitlist_position", "updated_at"], batch_size=500)
        CoursePage.objects.filter(pk=course.pk).update(
            confirmed_count=course.confirmed_count, waitlist_count=course.waitlist_count
        )
        draw = LotteryDraw.objects.create(
            course=course,
            seed=seed,
            entrants=entrants,
            entrants_hash=entrants_hash(entrants),
            order=order,
            seats=seats,
            waitlist_seats=waitlist_seats,
            drawn_at=now,
            drawn_by=user if getattr(user, "pk", None) else None,
        )
        _log_draw(course, draw, user)
        for enrollment in applications:
            enrollment.course = course
            notify(enrollment, "lottery")
    return draw


def _log_draw(course, draw, user):
    from wagtail.log_actions import log

    log(
        instance=course,
        action="training.lottery",
        user=user,
        data={
            "seed": draw.seed,
            "entrants": len(draw.entrants),
            "entrants_hash": draw.entrants_hash,
            "confirmed": min(draw.seats, len(draw.order)),
        },
    )


def results(draw: LotteryDraw) -> list[dict]:
    """The public table: draw rank, entrant number, masked name and phone, and the outcome."""
    statuses = dict(
        Enrollment.objects.filter(reference__in=[e["reference"] for e in draw.entrants]).values_list(
            "reference", "status"
        )
    )
    by_number = {e["no"]: e for e in draw.entrants}
    rows = []
    for rank, number in enumerate(draw.order, start=1):
        entrant = by_number[number]
        if rank <= draw.seats:
            outcome = "中签录取"
        elif rank <= draw.seats + draw.waitlist_seats:
            outcome = f"候补第 {rank - draw.seats} 位"
        else:
            outcome = "未中签"
        rows.append(
            {
                "rank": rank,
                "no": number,
                "name": entrant["name"],
                "phone": entrant["phone"],
                "outcome": outcome,
                "key": draw_key(draw.seed, number),
                "withdrawn": statuses.get(entrant["reference"]) == EnrollmentStatus.CANCELLED,
            }
        )
    return rows
