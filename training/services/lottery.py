"""The draw (摇号) for courses in lottery mode: fixed in advance, reproducible by anyone, recorded, and logged.

Method (published on the result page): the seed is 32 random hex digits chosen by the system when the
course is saved in lottery mode (`LotterySeed`), before anyone can apply; the course page shows its
SHA-256 from when the window opens, and nobody (staff included) can type or change it, so the outcome
cannot be steered by choosing a seed after seeing the entrants. At the draw the applications submitted
during the window are frozen in submission order and numbered 1…N; each number n gets the key
SHA-256("<seed>:<n>") in hex; the order of the draw is the numbers sorted by key. Winners are confirmed
up to the free seats, the next go to the waitlist in draw order up to its size, the rest are not
admitted (未中签). Applications cannot be confirmed by hand before the draw (services.enrollment.confirm).
The result page reveals the seed: anyone can check SHA-256(seed) against the hash published before,
and recompute the order with ten lines of code; the SHA-256 of the published list
("<n>|<masked name>|<masked phone>" lines) ties the list to the record. Seats confirmed outside the
draw (a later waitlist promotion, or staff) are listed there too.
"""

import hashlib
import secrets

from django.utils import timezone

from training.models import Allocation, CoursePage, Enrollment, EnrollmentStatus, LotteryDraw, LotterySeed
from training.services.enrollment import (
    EnrollmentError,
    _notify_after_commit,
    answers_busy,
    change_seats,
    locked_course,
)


def seed_hash(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def commit_seed(course_id: int, *, now=None) -> LotterySeed:
    """The course's seed, drawn now if it has none yet (idempotent; concurrent callers get the same row)."""
    existing = LotterySeed.objects.filter(course_id=course_id).first()
    if existing:
        return existing
    seed = secrets.token_hex(16)
    LotterySeed.objects.bulk_create(
        [LotterySeed(course_id=course_id, seed=seed, seed_sha256=seed_hash(seed), committed_at=now or timezone.now())],
        ignore_conflicts=True,
    )
    return LotterySeed.objects.get(course_id=course_id)


def published_commitment(course: CoursePage, now=None) -> LotterySeed | None:
    """The seed commitment as the course page shows it: from when the window opens (None before)."""
    if course.allocation != Allocation.LOTTERY or (now or timezone.now()) < course.window_opens_at:
        return None
    return commit_seed(course.pk)


def draw_key(seed: str, number: int) -> str:
    return hashlib.sha256(f"{seed}:{number}".encode()).hexdigest()


def draw_order(seed: str, numbers) -> list[int]:
    return sorted(numbers, key=lambda n: draw_key(seed, n))


def published_lines(entrants: list[dict]) -> str:
    return "\n".join(f"{e['no']}|{e['name']}|{e['phone']}" for e in entrants)


def entrants_hash(entrants: list[dict]) -> str:
    return hashlib.sha256(published_lines(entrants).encode()).hexdigest()


def verify(draw: LotteryDraw) -> bool:
    """True when the recorded order and hash follow from the recorded seed and list, and the seed is the
    one committed to in advance (for draws made since the commitment was introduced)."""
    numbers = [e["no"] for e in draw.entrants]
    committed = not draw.seed_sha256 or draw.seed_sha256 == seed_hash(draw.seed)
    return (
        committed
        and draw.order == draw_order(draw.seed, numbers)
        and draw.entrants_hash == entrants_hash(draw.entrants)
    )


def can_draw(course: CoursePage, now=None) -> tuple[bool, str]:
    now = now or timezone.now()
    if course.allocation != Allocation.LOTTERY:
        return False, "该课程不是摇号录取。"
    if now < course.window_closes_at:
        return False, "报名尚未截止，截止后才能摇号。"
    if LotteryDraw.objects.filter(course_id=course.pk).exists():
        return False, "该课程已经摇过号，结果不可重摇。"
    return True, ""


@answers_busy
def run_draw(course_id: int, *, user=None, now=None) -> LotteryDraw:
    """Freeze the entrants, draw with the committed seed, and place every entrant: confirmed, waitlisted
    or not admitted. Raises EnrollmentError (cannot_draw / no_entrants / busy)."""
    now = now or timezone.now()
    with locked_course(course_id) as (course, seats):
        allowed, reason = can_draw(course, now)
        if not allowed:
            raise EnrollmentError("cannot_draw", reason)
        applications = list(
            Enrollment.objects.filter(course=course, status=EnrollmentStatus.SUBMITTED).order_by("created_at", "pk")
        )
        if not applications:
            raise EnrollmentError("no_entrants", "没有待摇号的报名。")
        commitment = commit_seed(course.pk, now=now)
        entrants = [
            {"no": n, "reference": e.reference, "name": e.masked_participant, "phone": e.masked_phone}
            for n, e in enumerate(applications, start=1)
        ]
        by_number = dict(zip(range(1, len(applications) + 1), applications, strict=True))
        order = draw_order(commitment.seed, by_number)
        free = max(course.capacity - seats.taken, 0)
        waitlist_free = max(course.waitlist_size - seats.waitlisted, 0)
        placed = {"confirmed": 0, "waitlisted": 0}
        for rank, number in enumerate(order):
            enrollment = by_number[number]
            if rank < free:
                enrollment.status = EnrollmentStatus.CONFIRMED
                placed["confirmed"] += 1
            elif rank < free + waitlist_free:
                enrollment.status = EnrollmentStatus.WAITLISTED
                placed["waitlisted"] += 1
                enrollment.waitlist_position = seats.waitlisted + placed["waitlisted"]
            else:
                enrollment.status = EnrollmentStatus.REJECTED
        Enrollment.objects.bulk_update(applications, ["status", "waitlist_position", "updated_at"], batch_size=500)
        change_seats(seats, submitted=-len(applications), **placed)
        draw = LotteryDraw.objects.create(
            course=course,
            seed=commitment.seed,
            seed_sha256=commitment.seed_sha256,
            seed_committed_at=commitment.committed_at,
            entrants=entrants,
            entrants_hash=entrants_hash(entrants),
            order=order,
            seats=free,
            waitlist_seats=waitlist_free,
            drawn_at=now,
            drawn_by=user if getattr(user, "pk", None) else None,
        )
        _log_draw(course, draw, user)
        for enrollment in applications:
            _notify_after_commit(enrollment, "lottery")
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


def confirmed_outside_draw(draw: LotteryDraw) -> list[dict]:
    """Seats now confirmed in the course that the draw itself did not give: later waitlist promotions
    (in draw order) and anyone added by staff. Masked, oldest first."""
    winners = {draw.entrants[n - 1]["reference"] for n in draw.order[: draw.seats]} if draw.entrants else set()
    entrants = {e["reference"] for e in draw.entrants}
    rows = []
    for enrollment in Enrollment.objects.filter(course_id=draw.course_id, status=EnrollmentStatus.CONFIRMED).order_by(
        "updated_at", "pk"
    ):
        if enrollment.reference in winners:
            continue
        how = "候补递补（按摇号顺序）" if enrollment.reference in entrants else "工作人员录取（未参加摇号）"
        rows.append(
            {
                "name": enrollment.masked_participant,
                "phone": enrollment.masked_phone,
                "how": how,
                "when": enrollment.updated_at,
            }
        )
    return rows
