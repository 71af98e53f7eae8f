"""The enrollment rules, in one place, whatever the entry point (public form, admin, API, shell).

Every change of seats happens inside a transaction that first locks the course row
(`SELECT … FOR UPDATE` on PostgreSQL, with a lock timeout so a stuck request tells the visitor to try
again instead of waiting; on SQLite the settings open every transaction with `BEGIN IMMEDIATE`, which
serialises writers the same way). Under the lock the rules are checked against the course's current
counts, so capacity can never be exceeded however many requests arrive at once. Messages are sent
only after the commit, from a Celery task: a mail or broker outage delays a message, never a seat.

`now` is injectable for tests; all rules use it instead of the wall clock.
"""

import datetime
import logging
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from training.models import (
    ACTIVE_STATUSES,
    Allocation,
    Audience,
    CoursePage,
    Enrollment,
    EnrollmentStatus,
)

logger = logging.getLogger(__name__)

LOCK_TIMEOUT = "5s"


class EnrollmentError(Exception):
    """A rule said no: `code` for programs (API), `message` in Chinese for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Applicant:
    applicant_name: str
    phone: str
    participant_name: str
    id_number: str
    birth_date: datetime.date
    gender: str
    consent: bool
    email: str = ""
    employer: str = ""
    union_member: bool = False


@dataclass(frozen=True)
class Outcome:
    enrollment: Enrollment
    created: bool  # False when the same participant had already enrolled: the existing one is returned


def course_status(course: CoursePage, now: datetime.datetime) -> str:
    """即将开放 / 报名中 / 已满可候补 / 已满 / 已截止, from the course's own row (no counting)."""
    if now < course.window_opens_at:
        return "upcoming"
    if now >= course.window_closes_at:
        return "closed"
    if course.allocation == Allocation.LOTTERY:
        return "open"
    if course.confirmed_count < course.capacity:
        return "open"
    if course.waitlist_count < course.waitlist_size:
        return "waitlist"
    return "full"


STATUS_LABELS = {"upcoming": "即将开放", "open": "报名中", "waitlist": "已满可候补", "full": "已满", "closed": "已截止"}


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


# What the rules read from a course (and its term); the wide page row is not loaded under the lock.
COURSE_RULE_FIELDS = (
    "title",
    "live",
    "opens_at",
    "closes_at",
    "allocation",
    "capacity",
    "waitlist_size",
    "confirmed_count",
    "waitlist_count",
    "offer_hours",
    "age_min",
    "age_max",
    "audience",
    "requires_employer",
    "first_lesson",
    "fee",
    "payment_deadline",
    "term__enrollment_opens_at",
    "term__enrollment_closes_at",
    "term__age_cutoff_date",
    "term__max_courses_per_participant",
)


def _course_queryset():
    return CoursePage.objects.select_related("term").only(*COURSE_RULE_FIELDS)


def _lock_course(course_id: int, lock: bool) -> CoursePage:
    queryset = _course_queryset()
    if not lock:
        return queryset.get(pk=course_id)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    try:
        return queryset.select_for_update(of=("self",)).get(pk=course_id)
    except DatabaseError as exc:  # lock wait timed out
        raise EnrollmentError("busy", "报名人数较多，系统繁忙，请稍后重试。您的报名尚未提交。") from exc


def check_rules(course: CoursePage, applicant: Applicant, now: datetime.datetime) -> None:
    """The rules that do not depend on seats: window, audience, age, consent, employer."""
    if not course.live:
        raise EnrollmentError("not_found", "该课程已下线，无法报名。")
    if now < course.window_opens_at:
        opens = timezone.localtime(course.window_opens_at)
        raise EnrollmentError("not_open", f"报名尚未开始，开始时间为 {opens:%Y年%m月%d日 %H:%M}。")
    if now >= course.window_closes_at:
        raise EnrollmentError("closed", "报名已截止。")
    if not applicant.consent:
        raise EnrollmentError("consent", "请阅读并同意个人信息保护告知。")
    age = age_on(applicant.birth_date, course.term.age_cutoff_date)
    if course.age_min is not None and age < course.age_min:
        raise EnrollmentError(
            "too_young",
            f"本课程招收 {course.age_min} 岁及以上学员（按 {course.term.age_cutoff_date:%Y年%m月%d日} 计算），学员届时 {age} 岁。",
        )
    if course.age_max is not None and age > course.age_max:
        raise EnrollmentError(
            "too_old",
            f"本课程招收 {course.age_max} 岁及以下学员（按 {course.term.age_cutoff_date:%Y年%m月%d日} 计算），学员届时 {age} 岁。",
        )
    if course.audience == Audience.ADULTS and age < 16:
        raise EnrollmentError("adults_only", "本课程面向职工，学员须年满 16 周岁。")
    if course.requires_employer and not applicant.employer.strip():
        raise EnrollmentError("employer_required", "职工技能培训请填写工作单位。")


def enroll(
    course_id: int, applicant: Applicant, *, now=None, source: str = "web", user=None, lock: bool = True
) -> Outcome:
    """Enroll a participant: confirmed while seats last, then waitlisted in order, else refused.

    `lock=False` exists only for the concurrency test's control case, which shows the oversell that
    the lock prevents. Raises EnrollmentError when a rule says no.
    """
    now = now or timezone.now()
    if lock:
        _refuse_early(course_id, applicant, now)
    with transaction.atomic():
        course = _lock_course(course_id, lock)
        held = list(
            Enrollment.objects.filter(
                course__term_id=course.term_id, id_number=applicant.id_number, status__in=ACTIVE_STATUSES
            )
        )
        existing = next((e for e in held if e.course_id == course.pk), None)
        if existing:
            return Outcome(existing, created=False)
        check_rules(course, applicant, now)
        if len(held) >= course.term.max_courses_per_participant:
            raise EnrollmentError(
                "term_limit",
                f"每位学员本学期最多报名 {course.term.max_courses_per_participant} 门课程（含候补），该学员已达上限。",
            )

        enrollment = Enrollment(
            course=course,
            applicant_name=applicant.applicant_name,
            phone=applicant.phone,
            email=applicant.email,
            participant_name=applicant.participant_name,
            id_number=applicant.id_number,
            birth_date=applicant.birth_date,
            gender=applicant.gender,
            employer=applicant.employer,
            union_member=applicant.union_member,
            consent_at=now,
            source=source,
        )
        if course.allocation == Allocation.LOTTERY:
            enrollment.status = EnrollmentStatus.SUBMITTED
        elif _seats_taken(course) < course.capacity:
            enrollment.status = EnrollmentStatus.CONFIRMED
            course.confirmed_count += 1
        elif course.waitlist_count < course.waitlist_size:
            enrollment.status = EnrollmentStatus.WAITLISTED
            course.waitlist_count += 1
            enrollment.waitlist_position = course.waitlist_count
        else:
            raise EnrollmentError("full", "名额和候补名额均已满，无法报名。")
        enrollment.save()
        CoursePage.objects.filter(pk=course.pk).update(
            confirmed_count=course.confirmed_count, waitlist_count=course.waitlist_count
        )
        _log(enrollment, "training.enroll", user, {"status": enrollment.status})
        _notify_after_commit(enrollment, "created")
    return Outcome(enrollment, created=True)


def _refuse_early(course_id: int, applicant: Applicant, now) -> None:
    """When enrollment opens, most requests arrive after the seats and the waitlist are gone. Those are
    refused from an unlocked read, so they do not queue for the course lock. A read can only be stale
    in the safe direction for capacity: if it says "full" while a cancellation has just freed a place,
    this applicant is told to try again later; nobody is ever admitted without the lock.
    """
    course = _course_queryset().filter(pk=course_id).first()
    if course is None or course.allocation != Allocation.FCFS:
        return
    if course.confirmed_count < course.capacity or course.waitlist_count < course.waitlist_size:
        return
    if Enrollment.objects.filter(
        course_id=course_id, id_number=applicant.id_number, status__in=ACTIVE_STATUSES
    ).exists():
        return  # a repeat: the locked path returns the existing enrollment
    check_rules(course, applicant, now)  # the accurate reason first (closed, too young …)
    raise EnrollmentError("full", "名额和候补名额均已满，无法报名。")


def _seats_taken(course) -> int:
    """Confirmed places plus places held for time-limited offers (only courses with offers have any)."""
    if not course.offer_hours:
        return course.confirmed_count
    offered = Enrollment.objects.filter(course_id=course.pk, status=EnrollmentStatus.OFFERED).count()
    return course.confirmed_count + offered


def cancel(enrollment_id: int, *, by: str, now=None, user=None) -> Enrollment | None:
    """Cancel an active enrollment; a freed seat goes to the first on the waitlist. Returns the promoted one."""
    now = now or timezone.now()
    with transaction.atomic():
        course_id = Enrollment.objects.values_list("course_id", flat=True).get(pk=enrollment_id)
        course = _lock_course(course_id, True)
        enrollment = Enrollment.objects.get(pk=enrollment_id)
        if not enrollment.is_active:
            raise EnrollmentError("not_active", "该报名已取消或未被录取，无需再取消。")
        if by == "applicant" and course.first_lesson and now.date() >= course.first_lesson:
            raise EnrollmentError("started", "课程已开课，如需退课请联系工作人员。")
        previous = enrollment.status
        position = enrollment.waitlist_position
        enrollment.status = EnrollmentStatus.CANCELLED
        enrollment.waitlist_position = None
        enrollment.cancelled_at = now
        enrollment.cancelled_by = by
        enrollment.save(update_fields=["status", "waitlist_position", "cancelled_at", "cancelled_by", "updated_at"])
        _log(enrollment, "training.cancel", user, {"by": by})
        _notify_after_commit(enrollment, "cancelled")

        promoted = None
        if previous == EnrollmentStatus.CONFIRMED:
            course.confirmed_count -= 1
            promoted = _promote_first(course, user, now)
        elif previous == EnrollmentStatus.OFFERED:
            promoted = _promote_first(course, user, now)
        elif previous == EnrollmentStatus.WAITLISTED and position:
            course.waitlist_count -= 1
            _close_waitlist_gap(course, position)
        CoursePage.objects.filter(pk=course.pk).update(
            confirmed_count=course.confirmed_count, waitlist_count=course.waitlist_count
        )
    return promoted


def release_unpaid_seat(enrollment_id: int, *, now=None) -> Enrollment | None:
    """Cancel a confirmed enrollment that is still unpaid past its `payment_due_at` (training.services.payments);
    the seat then goes through `cancel`'s path to the first on the waitlist. Returns the promoted/offered one.

    Checked again under the course lock with the enrollment row locked, so staff marking 已缴费 at the same
    moment either wins (nothing is released) or finds the enrollment already cancelled.
    """
    now = now or timezone.now()
    with transaction.atomic():
        course_id = Enrollment.objects.values_list("course_id", flat=True).get(pk=enrollment_id)
        _lock_course(course_id, True)
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment_id)
        overdue = enrollment.payment_due_at is not None and enrollment.payment_due_at < now
        if enrollment.status != EnrollmentStatus.CONFIRMED or enrollment.paid_at or not overdue:
            raise EnrollmentError("not_overdue", "该报名已缴费、已取消或未到缴费截止时间。")
        return cancel(enrollment_id, by="unpaid", now=now)


def promote(enrollment_id: int, *, user=None) -> Enrollment:
    """Staff: confirm a waitlisted enrollment now, even above capacity (their decision, logged)."""
    with transaction.atomic():
        course_id = Enrollment.objects.values_list("course_id", flat=True).get(pk=enrollment_id)
        course = _lock_course(course_id, True)
        enrollment = Enrollment.objects.get(pk=enrollment_id)
        if enrollment.status != EnrollmentStatus.WAITLISTED:
            raise EnrollmentError("not_waitlisted", "只有候补中的报名可以递补。")
        position = enrollment.waitlist_position
        _confirm(enrollment, course, user)
        course.waitlist_count -= 1
        _close_waitlist_gap(course, position)
        CoursePage.objects.filter(pk=course.pk).update(
            confirmed_count=course.confirmed_count, waitlist_count=course.waitlist_count
        )
    return enrollment


def confirm(enrollment_id: int, *, user=None) -> Enrollment:
    """Staff: confirm a submitted (lottery), waitlisted or offered enrollment while seats last.

    Unlike `promote`, this never goes above capacity: when the course is full it raises
    EnrollmentError("full") and nothing changes. Same course row lock as every other seat change.
    """
    with transaction.atomic():
        course_id = Enrollment.objects.values_list("course_id", flat=True).get(pk=enrollment_id)
        course = _lock_course(course_id, True)
        enrollment = Enrollment.objects.get(pk=enrollment_id)
        previous = enrollment.status
        if previous == EnrollmentStatus.CONFIRMED:
            raise EnrollmentError("already_confirmed", "该报名已是正式录取，无需再录取。")
        if previous not in (EnrollmentStatus.SUBMITTED, EnrollmentStatus.WAITLISTED, EnrollmentStatus.OFFERED):
            raise EnrollmentError("not_active", "该报名已取消或未被录取，不能录取。")
        taken = _seats_taken(course) - (1 if previous == EnrollmentStatus.OFFERED else 0)
        if taken >= course.capacity:
            raise EnrollmentError(
                "full",
                f"“{course.title}”名额已满（已录取 {course.confirmed_count} 人，名额 {course.capacity} 人），"
                "未能录取；如确需超额录取，请对候补学员使用“递补录取”。",
            )
        position = enrollment.waitlist_position
        enrollment.status = EnrollmentStatus.CONFIRMED
        enrollment.waitlist_position = None
        enrollment.offer_expires_at = None
        enrollment.save(update_fields=["status", "waitlist_position", "offer_expires_at", "updated_at"])
        course.confirmed_count += 1
        if previous == EnrollmentStatus.WAITLISTED and position:
            course.waitlist_count -= 1
            _close_waitlist_gap(course, position)
        CoursePage.objects.filter(pk=course.pk).update(
            confirmed_count=course.confirmed_count, waitlist_count=course.waitlist_count
        )
        _log(enrollment, "training.confirm", user, {"from": previous})
        # A lottery entry that is confirmed gets the "enrolled" message, a waitlisted one the "promoted" one.
        _notify_after_commit(enrollment, "created" if previous == EnrollmentStatus.SUBMITTED else "promoted")
    return enrollment


def _promote_first(course, user, now=None):
    """Give a free seat to the first on the waitlist: confirmed at once, or offered for `offer_hours`."""
    if _seats_taken(course) >= course.capacity:
        return None
    first = (
        Enrollment.objects.filter(course=course, status=EnrollmentStatus.WAITLISTED)
        .order_by("waitlist_position", "pk")
        .first()
    )
    if first is None:
        return None
    position = first.waitlist_position
    if course.offer_hours:
        first.status = EnrollmentStatus.OFFERED
        first.waitlist_position = None
        first.offer_expires_at = (now or timezone.now()) + datetime.timedelta(hours=course.offer_hours)
        first.save(update_fields=["status", "waitlist_position", "offer_expires_at", "updated_at"])
        _log(first, "training.offer", user, {"expires": first.offer_expires_at.isoformat()})
        _notify_after_commit(first, "offered")
    else:
        _confirm(first, course, user)
    course.waitlist_count -= 1
    _close_waitlist_gap(course, position)
    return first


def accept_offer(enrollment_id: int, phone: str, *, now=None) -> Enrollment:
    """The applicant takes the seat offered to them, before the offer expires."""
    now = now or timezone.now()
    with transaction.atomic():
        course_id = Enrollment.objects.values_list("course_id", flat=True).get(pk=enrollment_id)
        course = _lock_course(course_id, True)
        enrollment = Enrollment.objects.get(pk=enrollment_id)
        if enrollment.phone != phone:
            raise EnrollmentError("not_found", "没有找到这条报名，请核对手机号码和报名编号。")
        if enrollment.status != EnrollmentStatus.OFFERED:
            raise EnrollmentError("no_offer", "这条报名目前没有待确认的递补名额。")
        if enrollment.offer_expires_at and now > enrollment.offer_expires_at:
            raise EnrollmentError("offer_expired", "递补确认时限已过，名额已让给下一位候补者。")
        enrollment.status = EnrollmentStatus.CONFIRMED
        enrollment.offer_expires_at = None
        enrollment.save(update_fields=["status", "offer_expires_at", "updated_at"])
        course.confirmed_count += 1
        CoursePage.objects.filter(pk=course.pk).update(confirmed_count=course.confirmed_count)
        _log(enrollment, "training.accept", None, {})
        _notify_after_commit(enrollment, "promoted")
    return enrollment


def expire_offers(*, now=None) -> int:
    """Offers past their deadline are withdrawn and the seat goes to the next person. Returns how many."""
    now = now or timezone.now()
    expired = 0
    course_ids = set(
        Enrollment.objects.filter(status=EnrollmentStatus.OFFERED, offer_expires_at__lt=now).values_list(
            "course_id", flat=True
        )
    )
    for course_id in sorted(course_ids):
        with transaction.atomic():
            course = _lock_course(course_id, True)
            for enrollment in Enrollment.objects.filter(
                course_id=course_id, status=EnrollmentStatus.OFFERED, offer_expires_at__lt=now
            ):
                enrollment.status = EnrollmentStatus.CANCELLED
                enrollment.cancelled_at = now
                enrollment.cancelled_by = "system"
                enrollment.save(update_fields=["status", "cancelled_at", "cancelled_by", "updated_at"])
                _log(enrollment, "training.expire", None, {})
                _notify_after_commit(enrollment, "expired")
                expired += 1
            while _promote_first(course, None, now):
                pass
            CoursePage.objects.filter(pk=course.pk).update(
                confirmed_count=course.confirmed_count, waitlist_count=course.waitlist_count
            )
    return expired


def _confirm(enrollment, course, user):
    enrollment.status = EnrollmentStatus.CONFIRMED
    enrollment.waitlist_position = None
    enrollment.save(update_fields=["status", "waitlist_position", "updated_at"])
    course.confirmed_count += 1
    _log(enrollment, "training.promote", user, {})
    _notify_after_commit(enrollment, "promoted")


def _close_waitlist_gap(course, position):
    Enrollment.objects.filter(course=course, status=EnrollmentStatus.WAITLISTED, waitlist_position__gt=position).update(
        waitlist_position=F("waitlist_position") - 1
    )


def _log(enrollment, action, user, data):
    from wagtail.log_actions import log

    try:
        log(instance=enrollment, action=action, user=user, data=data)
    except Exception:  # the audit log must not undo an enrollment
        logger.exception("Could not write the log entry for %s", enrollment.reference)


def _notify_after_commit(enrollment, event):
    from training.tasks import send_enrollment_notice

    def send():
        try:
            send_enrollment_notice.delay(enrollment.pk, event)
        except Exception:  # broker down: the enrollment stands; staff can resend from the admin
            logger.exception("Could not queue the %s notice for %s", event, enrollment.reference)

    transaction.on_commit(send)
