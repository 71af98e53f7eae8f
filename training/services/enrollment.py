"""The enrollment rules, in one place, whatever the entry point (public form, admin, API, shell).

Every change of seats happens inside one transaction (`locked_course`) that first takes, in this fixed
order, (1) on PostgreSQL a transaction-level advisory lock on (term, 身份证号) when a person enrolls, so
the per-term limit holds when one person is sent to several courses at once, and (2) the row lock on
the course's `CourseSeats` row (`SELECT … FOR UPDATE`; both with a lock timeout so a stuck request
tells the visitor to try again instead of waiting). On SQLite the settings open every transaction with
`BEGIN IMMEDIATE`, which serialises writers the same way. Under the locks the rules are checked
against the current seat row, so capacity can never be exceeded however many requests arrive at once.
A lock that cannot be had in time (PostgreSQL lock timeout or deadlock, SQLite "database is locked")
is EnrollmentError("busy"), never a 500. Messages are written to the outbox (notices app)
in the same transaction and delivered after the commit: a mail, SMS or broker outage delays a message,
never a seat, and never loses the message.

What "taken", "left" and the status mean is defined once, in training.services.seats.
`now` is injectable for tests; all rules use it instead of the wall clock. Dates in rules are local
(Asia/Shanghai) dates.
"""

import contextlib
import copy
import datetime
import functools
import hashlib
import logging
import time
from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from haining.compiled_query import SENTINEL_ID, SENTINEL_TEXT, CompiledQuery
from home.signals import content_version
from training.models import (
    ACTIVE_STATUSES,
    Allocation,
    Audience,
    CoursePage,
    CourseSeats,
    Enrollment,
    EnrollmentStatus,
    new_reference,
)
from training.services import seats as seat_state
from training.services.seats import STATUS_LABELS, count_enrollments, ensure_seats, with_seat_state

logger = logging.getLogger(__name__)

__all__ = ["STATUS_LABELS", "Applicant", "EnrollmentError", "Outcome", "enroll", "cancel", "confirm", "promote"]

LOCK_TIMEOUT = "5s"
BUSY_MESSAGE = "报名人数较多，系统繁忙，请稍后重试。您的报名尚未提交。"
FULL_MESSAGE = "名额和候补名额均已满，无法报名。"
CLOSED_MESSAGE = "报名已截止。"
# PostgreSQL: lock_not_available, deadlock_detected, serialization_failure.
BUSY_SQLSTATES = {"55P03", "40P01", "40001"}


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
    document_type: str = "resident"  # IdDocumentType, from training.services.identity.parse_id_number


@dataclass(frozen=True)
class Outcome:
    enrollment: Enrollment
    created: bool  # False when the same participant had already enrolled: the existing one is returned


def course_status(course: CoursePage, now: datetime.datetime) -> str:
    """即将开放 / 报名中 / 已满可候补 / 已满 / 已截止 (defined in training.services.seats)."""
    return course.status(now)


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


# What the rules read from a course (and its term); the wide page row is not loaded under the lock.
COURSE_RULE_FIELDS = (
    "title",
    "live",
    "term_id",
    "opens_at",
    "closes_at",
    "allocation",
    "capacity",
    "waitlist_size",
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


def rule_course(course_id: int) -> CoursePage | None:
    """The course with the fields the rules read (and its term), or None; pass it to `enroll(course=…)`."""
    return _course_queryset().filter(pk=course_id).first()


RULE_COURSE_SECONDS = 2.0
_rule_courses: dict[int, tuple[int, float, CoursePage | None]] = {}


def recent_rule_course(course_id: int) -> CoursePage | None:
    """`rule_course`, kept by this server process for `RULE_COURSE_SECONDS` under the site's content version
    (home.signals: every publish, unpublish, move or delete of a page and every save of a term bumps it), for
    the public enrollment API: an opening rush reads the same course hundreds of times a second.

    What it answers decides only the 404 and the form's own checks; `enroll` reads the rules' fields again
    with the seat row, under the course's lock (`_locked_counts`), so an editor's committed change (unpublished,
    window closed, ages, the term's limits) is what the rules apply. Returns a copy (its term copied too),
    which the caller may change.
    """
    version, now = content_version(), time.monotonic()
    memo = _rule_courses.get(course_id)
    if memo is None or memo[0] != version or now - memo[1] > RULE_COURSE_SECONDS:
        if len(_rule_courses) > 1000:
            _rule_courses.clear()
        memo = (version, now, rule_course(course_id))
        _rule_courses[course_id] = memo
    course = copy.copy(memo[2])
    if course is not None:
        course.term = copy.copy(course.term)  # copy.copy is shallow: the cached term would be shared
    return course


def forget_rule_courses() -> None:
    """Empty this process's `recent_rule_course` memo (tests, which reuse ids and reset the cache)."""
    _rule_courses.clear()


def is_busy(exc: BaseException) -> bool:
    """True for a lock that could not be had in time, on either database."""
    if connection.vendor == "sqlite":
        return "locked" in str(exc)
    return getattr(exc.__cause__, "sqlstate", None) in BUSY_SQLSTATES


def person_lock_key(term_id: int, id_number: str) -> int:
    """The advisory lock key of one participant in one term (a signed 64-bit integer)."""
    digest = hashlib.sha256(f"training.term-limit:{term_id}:{id_number}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def answers_busy(function):
    """Decorator: a lock that cannot be had in time, anywhere in `function`, is EnrollmentError("busy")."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except OperationalError as exc:
            if is_busy(exc):
                raise EnrollmentError("busy", BUSY_MESSAGE) from exc
            raise

    return wrapper


@contextlib.contextmanager
def locked_course(course_id: int, *, person: tuple[int, str] | None = None, lock: bool = True):
    """A transaction holding the course's seat row (and the person's term lock); yields (course, seats).

    `person` = (term id, 身份证号). `lock=False` exists only for the concurrency test's control case.
    Raises EnrollmentError("busy") when a lock cannot be had in time, ("not_found") for no such course.
    """
    try:
        with transaction.atomic():
            _lock_person(person)
            yield _lock_course(course_id, lock)
    except OperationalError as exc:
        if is_busy(exc):
            raise EnrollmentError("busy", BUSY_MESSAGE) from exc
        raise


def _lock_person(person: tuple[int, str] | None) -> None:
    """In the current transaction: the lock timeout, and on PostgreSQL the person's term lock (first)."""
    if connection.vendor == "postgresql":
        statement = f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"
        if person is not None:  # one round trip; the key is an integer computed here, never user text
            statement += f"; SELECT pg_advisory_xact_lock({int(person_lock_key(*person))})"
        with connection.cursor() as cursor:
            cursor.execute(statement)


def _lock_course(course_id: int, lock: bool) -> tuple[CoursePage, CourseSeats]:
    """In the current transaction: the course's seat row, locked (second)."""
    seats = _seat_row(course_id, lock)
    # Whatever this transaction changes may free a place: the refusal flag goes when it commits.
    seat_state.forget_refusal_on_commit([course_id])
    return seats.course, seats


def _seat_row(course_id: int, lock: bool) -> CourseSeats:
    queryset = CourseSeats.objects.select_related("course", "course__term").only(
        *COUNTED_FIELDS, *(f"course__{name}" for name in COURSE_RULE_FIELDS)
    )
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(course_id=course_id)
    except CourseSeats.DoesNotExist:
        if not CoursePage.objects.filter(pk=course_id).exists():
            raise EnrollmentError("not_found", "没有这门课程。") from None
    ensure_seats([course_id])  # a course saved without the signal (e.g. raw fixtures)
    return queryset.get(course_id=course_id)


COUNTED_FIELDS = ("confirmed", "offered", "waitlisted", "submitted", "taken")


# The rules' fields read again with the seat row, under the lock, whatever copy of the course the caller has.
COURSE_RULES_UNDER_LOCK = tuple(
    name for name in COURSE_RULE_FIELDS if "__" not in name and name not in ("title", "term_id", "capacity")
)
TERM_RULES_UNDER_LOCK = tuple(name.removeprefix("term__") for name in COURSE_RULE_FIELDS if name.startswith("term__"))


def _counts_queryset(lock: bool, course_id: int):
    """`_locked_counts`' query: the seat row (locked unless `lock` is False) with the rules' fields of its
    course and term as annotations."""
    queryset = CourseSeats.objects.only(*COUNTED_FIELDS).annotate(
        capacity_now=F("course__capacity"),
        term_id_now=F("course__term_id"),
        **{f"course_{name}_now": F(f"course__{name}") for name in COURSE_RULES_UNDER_LOCK},
        **{f"term_{name}_now": F(f"course__term__{name}") for name in TERM_RULES_UNDER_LOCK},
    )
    # One row by its (unique) primary key: no `.first()` and its ORDER BY, for a LIMIT that changes nothing.
    queryset = queryset.filter(course_id=course_id)
    return queryset.select_for_update(of=("self",)) if lock else queryset


# Compiled once per process (haining.compiled_query): compiling its twenty-odd joined columns again took
# most of the query's cost, about 2 ms of each placement, while the course's row was locked.
_LOCKED_COUNTS = {
    lock: CompiledQuery(functools.partial(_counts_queryset, lock), course_id=SENTINEL_ID) for lock in (True, False)
}


def _locked_counts(course: CoursePage, lock: bool) -> CourseSeats:
    """The course's seat row, locked, with the course's capacity, waitlist size and the rules' other fields
    (the course's and its term's) as they are now, set on `course`: the one short query `enroll` runs with the
    lock before it writes. A copy read earlier (the API's `recent_rule_course`) thus never decides a rule."""
    rows = _LOCKED_COUNTS[lock].fetch(course_id=course.pk)
    if not rows:
        ensure_seats([course.pk])  # a course saved without the signal (e.g. raw fixtures)
        rows = _LOCKED_COUNTS[lock].fetch(course_id=course.pk)
    seats = rows[0]
    course.capacity = seats.capacity_now
    for name in COURSE_RULES_UNDER_LOCK:
        setattr(course, name, getattr(seats, f"course_{name}_now"))
    if seats.term_id_now == course.term_id:  # else the caller refuses "busy": the course moved to another term
        for name in TERM_RULES_UNDER_LOCK:
            setattr(course.term, name, getattr(seats, f"term_{name}_now"))
    seats.course = course
    return seats


def change_seats(seats: CourseSeats, **deltas: int) -> None:
    """Add to the seat counts in the database; the instance (and its computed `taken`) is refreshed."""
    for name, delta in deltas.items():
        setattr(seats, name, F(name) + delta)
    seats.save(update_fields=[*deltas, "updated_at"])


def check_rules(course: CoursePage, applicant: Applicant, now: datetime.datetime) -> None:
    """The rules that do not depend on seats: window, audience, age, consent, employer."""
    if not course.live:
        raise EnrollmentError("not_found", "该课程已下线，无法报名。")
    if now < course.window_opens_at:
        opens = timezone.localtime(course.window_opens_at)
        raise EnrollmentError("not_open", f"报名尚未开始，开始时间为 {opens:%Y年%m月%d日 %H:%M}。")
    if now >= course.window_closes_at:
        raise EnrollmentError("closed", CLOSED_MESSAGE)
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


@answers_busy
def enroll(
    course_id: int,
    applicant: Applicant,
    *,
    now=None,
    source: str = "web",
    user=None,
    lock: bool = True,
    person_lock: bool = True,
    course: CoursePage | None = None,
) -> Outcome:
    """Enroll a participant: confirmed while seats last, then waitlisted in order, else refused.

    `lock=False` / `person_lock=False` exist only for the concurrency tests' control cases, which show
    the oversell (course) and the per-term overrun (person) that the locks prevent. `course`: the course as
    the caller read it with at least the rules' fields (`rule_course`), to save reading it again; its seat
    counts, capacity, waitlist size and term are read again under the lock. Raises EnrollmentError when a
    rule says no, or "busy" when the locks cannot be had in time.
    """
    now = now or timezone.now()
    if lock and not seat_state.fast_refusals_enabled():
        _refuse_early(course_id, applicant, now)  # with a shared cache the refusal flag does this, cheaper
    term_id = (
        course.term_id
        if course is not None
        else CoursePage.objects.filter(pk=course_id).values_list("term_id", flat=True).first()
    )
    if term_id is None:
        raise EnrollmentError("not_found", "没有这门课程。")
    for attempt in range(REFERENCE_ATTEMPTS):
        reference = new_reference()
        try:
            return _enroll(course_id, term_id, course, applicant, reference, now, source, user, lock, person_lock)
        except IntegrityError:
            # The insert runs without a savepoint (two round trips fewer while the course is locked), so a
            # reference code drawn twice (about 1 in 10^11) undoes the transaction: it is run again.
            if attempt == REFERENCE_ATTEMPTS - 1 or not Enrollment.objects.filter(reference=reference).exists():
                raise
            logger.warning("Reference %s already used; drawing another", reference)
    raise AssertionError("unreachable")


def _enroll(course_id, term_id, course, applicant, reference, now, source, user, lock, person_lock) -> Outcome:
    """One try of `enroll`, in one transaction. The course's row is locked as late as possible: the
    person's own enrollments are read under the person's lock first (their per-term lock on PostgreSQL,
    BEGIN IMMEDIATE on SQLite), so the course stays locked only for the seat decision and the writes."""
    with transaction.atomic():
        _lock_person((term_id, applicant.id_number) if person_lock else None)
        held = _held_in_term(term_id, applicant.id_number) if person_lock else None
        # The rules' fields are read before the course's lock (building a page object is the costliest part
        # of the read); the seat counts, capacity and waitlist size are read again with the row lock.
        if course is None:
            course = rule_course(course_id)
        if course is None:
            raise EnrollmentError("not_found", "没有这门课程。")
        seats = _locked_counts(course, lock)
        if seats.term_id_now != term_id:  # the course moved to another term meanwhile: the lock is the wrong one
            raise EnrollmentError("busy", BUSY_MESSAGE)
        if held is None:  # control case without the person's lock: read under the course's lock
            held = _held_in_term(term_id, applicant.id_number)
        existing = next((e for e in held if e.course_id == course.pk), None)
        if existing:
            return Outcome(existing, created=False)
        try:
            check_rules(course, applicant, now)
        except EnrollmentError as error:
            if error.code == "closed" and lock:
                seat_state.remember_refusal(course.pk, now)  # under the lock, nothing changed yet
            raise
        if len(held) >= course.term.max_courses_per_participant:
            raise EnrollmentError(
                "term_limit",
                f"每位学员本学期最多报名 {course.term.max_courses_per_participant} 门课程（含候补），该学员已达上限。",
            )
        seats_changed = bool(_expire_due_offers(course, seats, now))
        if course.allocation != Allocation.LOTTERY:
            # free seats go to the waitlist before a newcomer
            seats_changed |= bool(_fill_from_waitlist(course, seats, user, now))
        if seats_changed:  # an offer withdrawn may free a place; a new enrollment by itself never does
            seat_state.forget_refusal_on_commit([course_id])

        enrollment = Enrollment(
            reference=reference,
            course=course,
            applicant_name=applicant.applicant_name,
            phone=applicant.phone,
            email=applicant.email,
            participant_name=applicant.participant_name,
            id_number=applicant.id_number,
            document_type=applicant.document_type,
            birth_date=applicant.birth_date,
            gender=applicant.gender,
            employer=applicant.employer,
            union_member=applicant.union_member,
            consent_at=now,
            source=source,
        )
        if course.allocation == Allocation.LOTTERY:
            enrollment.status = EnrollmentStatus.SUBMITTED
            counter = "submitted"
        elif seats.taken < course.capacity:
            enrollment.status = EnrollmentStatus.CONFIRMED
            counter = "confirmed"
        elif seats.waitlisted < course.waitlist_size:
            enrollment.status = EnrollmentStatus.WAITLISTED
            enrollment.waitlist_position = seats.waitlisted + 1
            counter = "waitlisted"
        else:
            if lock and not seats_changed:
                seat_state.remember_refusal(course.pk, now)  # under the lock, nothing changed yet
            raise EnrollmentError("full", FULL_MESSAGE)
        enrollment.save(force_insert=True)
        change_seats(seats, **{counter: 1})
        _log(enrollment, "training.enroll", user, {"status": enrollment.status})
        _notify_after_commit(enrollment, "created")
    return Outcome(enrollment, created=True)


REFERENCE_ATTEMPTS = 5

# A participant's active enrollments in a term, compiled once per process (about 2 ms of each placement).
_HELD_IN_TERM = CompiledQuery(
    lambda term_id, id_number: Enrollment.objects.filter(
        course__term_id=term_id, id_number=id_number, status__in=ACTIVE_STATUSES
    ),
    term_id=SENTINEL_ID,
    id_number=SENTINEL_TEXT,
)


def _held_in_term(term_id: int, id_number: str) -> list[Enrollment]:
    """The participant's confirmed, offered, waitlisted and submitted enrollments in the term (the term limit)."""
    return _HELD_IN_TERM.fetch(term_id=term_id, id_number=id_number)


def _refuse_early(course_id: int, applicant: Applicant, now) -> None:
    """When enrollment opens, most requests arrive after the seats and the waitlist are gone. Those are
    refused from an unlocked read, so they do not queue for the course lock. A read can only be stale
    in the safe direction for capacity: if it says "full" while a cancellation has just freed a place,
    this applicant is told to try again later; nobody is ever admitted without the lock.
    """
    course = with_seat_state(_course_queryset().filter(pk=course_id), now).first()
    if course is None or course.seat_status != "full":
        return
    if Enrollment.objects.filter(
        course_id=course_id, id_number=applicant.id_number, status__in=ACTIVE_STATUSES
    ).exists():
        return  # a repeat: the locked path returns the existing enrollment
    check_rules(course, applicant, now)  # the accurate reason first (closed, too young …)
    raise EnrollmentError("full", FULL_MESSAGE)


REFUSALS = {"full": FULL_MESSAGE, "closed": CLOSED_MESSAGE}


def fast_refusal(course_id: int) -> EnrollmentError | None:
    """The refusal for a course the seats service has flagged as full or closed, read from the shared
    cache only (no lock, no query); None when there is no flag and the request must take the full path.

    A participant who already holds a place on a flagged course is told it is full too, instead of
    being shown their enrollment (that needs a query); their enrollment is untouched (我的报名 shows it).
    """
    status = seat_state.cached_refusal(course_id)
    return EnrollmentError(status, REFUSALS[status]) if status else None


@answers_busy
def cancel(enrollment_id: int, *, by: str, now=None, user=None) -> Enrollment | None:
    """Cancel an active enrollment; a freed seat goes to the first on the waitlist. Returns the promoted one.

    An applicant may cancel up to the day before the first lesson (local date, Asia/Shanghai); staff
    at any time.
    """
    now = now or timezone.now()
    course_id = _course_of(enrollment_id)
    with locked_course(course_id) as (course, seats):
        enrollment = Enrollment.objects.get(pk=enrollment_id)
        if not enrollment.is_active:
            raise EnrollmentError("not_active", "该报名已取消或未被录取，无需再取消。")
        if by == "applicant" and course.first_lesson and timezone.localdate(now) >= course.first_lesson:
            raise EnrollmentError("started", "课程已开课，如需退课请联系工作人员。")
        previous = enrollment.status
        position = enrollment.waitlist_position
        enrollment.status = EnrollmentStatus.CANCELLED
        enrollment.waitlist_position = None
        enrollment.offer_expires_at = None
        enrollment.cancelled_at = now
        enrollment.cancelled_by = by
        enrollment.save(
            update_fields=[
                "status",
                "waitlist_position",
                "offer_expires_at",
                "cancelled_at",
                "cancelled_by",
                "updated_at",
            ]
        )
        change_seats(seats, **{COUNTER[previous]: -1})
        _log(enrollment, "training.cancel", user, {"by": by})
        _notify_after_commit(enrollment, "cancelled")
        if previous == EnrollmentStatus.WAITLISTED and position:
            _close_waitlist_gap(course, position)
        promoted = _fill_from_waitlist(course, seats, user, now)
    return promoted[0] if promoted else None


COUNTER = {
    EnrollmentStatus.CONFIRMED: "confirmed",
    EnrollmentStatus.OFFERED: "offered",
    EnrollmentStatus.WAITLISTED: "waitlisted",
    EnrollmentStatus.SUBMITTED: "submitted",
}


def _course_of(enrollment_id: int) -> int:
    course_id = Enrollment.objects.filter(pk=enrollment_id).values_list("course_id", flat=True).first()
    if course_id is None:
        raise EnrollmentError("not_found", "没有找到这条报名。")
    return course_id


@answers_busy
def release_unpaid_seat(enrollment_id: int, *, now=None) -> Enrollment | None:
    """Cancel a confirmed enrollment that is still unpaid past its `payment_due_at` (training.services.payments);
    the seat then goes through `cancel`'s path to the first on the waitlist. Returns the promoted/offered one.

    Checked again under the course lock with the enrollment row locked, so staff marking 已缴费 at the same
    moment either wins (nothing is released) or finds the enrollment already cancelled.
    """
    now = now or timezone.now()
    with locked_course(_course_of(enrollment_id)):
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment_id)
        overdue = enrollment.payment_due_at is not None and enrollment.payment_due_at < now
        if enrollment.status != EnrollmentStatus.CONFIRMED or enrollment.paid_at or not overdue:
            raise EnrollmentError("not_overdue", "该报名已缴费、已取消或未到缴费截止时间。")
        return cancel(enrollment_id, by="unpaid", now=now)


@answers_busy
def promote(enrollment_id: int, *, user=None) -> Enrollment:
    """Staff: confirm a waitlisted enrollment now, even above capacity (their decision, logged).

    Not for a lottery course before its draw (there is no waitlist then; see `confirm`).
    """
    with locked_course(_course_of(enrollment_id)) as (course, seats):
        enrollment = Enrollment.objects.get(pk=enrollment_id)
        if enrollment.status != EnrollmentStatus.WAITLISTED:
            raise EnrollmentError("not_waitlisted", "只有候补中的报名可以递补。")
        position = enrollment.waitlist_position
        _confirm(enrollment, user)
        change_seats(seats, waitlisted=-1, confirmed=1)
        _close_waitlist_gap(course, position)
    return enrollment


@answers_busy
def confirm(enrollment_id: int, *, user=None) -> Enrollment:
    """Staff: confirm a waitlisted or offered enrollment while seats last.

    Unlike `promote`, this never goes above capacity: when the course is full it raises
    EnrollmentError("full") and nothing changes. Lottery applications (待摇号) cannot be confirmed
    by hand: only the draw places them, so nobody can pick winners before it. Same lock as every
    other seat change.
    """
    with locked_course(_course_of(enrollment_id)) as (course, seats):
        enrollment = Enrollment.objects.get(pk=enrollment_id)
        previous = enrollment.status
        if previous == EnrollmentStatus.CONFIRMED:
            raise EnrollmentError("already_confirmed", "该报名已是正式录取，无需再录取。")
        if previous == EnrollmentStatus.SUBMITTED:
            raise EnrollmentError(
                "lottery_pending", "摇号课程的报名只能由摇号决定录取，不能在摇号前人工录取。请在报名截止后进行摇号。"
            )
        if previous not in (EnrollmentStatus.WAITLISTED, EnrollmentStatus.OFFERED):
            raise EnrollmentError("not_active", "该报名已取消或未被录取，不能录取。")
        taken = seats.taken - (1 if previous == EnrollmentStatus.OFFERED else 0)
        if taken >= course.capacity:
            raise EnrollmentError(
                "full",
                f"“{course.title}”名额已满（已占用 {seats.taken} 个，名额 {course.capacity} 个），"
                "未能录取；如确需超额录取，请对候补学员使用“递补录取”。",
            )
        position = enrollment.waitlist_position
        enrollment.status = EnrollmentStatus.CONFIRMED
        enrollment.waitlist_position = None
        enrollment.offer_expires_at = None
        enrollment.save(update_fields=["status", "waitlist_position", "offer_expires_at", "updated_at"])
        change_seats(seats, **{COUNTER[previous]: -1, "confirmed": 1})
        if previous == EnrollmentStatus.WAITLISTED and position:
            _close_waitlist_gap(course, position)
        _log(enrollment, "training.confirm", user, {"from": previous})
        _notify_after_commit(enrollment, "promoted")
    return enrollment


def _fill_from_waitlist(course, seats, user, now) -> list[Enrollment]:
    """Give every free seat to the waitlist, first in line first: confirmed at once, or offered for
    `offer_hours` where the course uses offers. Returns those promoted, in order."""
    promoted = []
    while seats.taken < course.capacity and seats.waitlisted:
        first = (
            Enrollment.objects.filter(course_id=course.pk, status=EnrollmentStatus.WAITLISTED)
            .order_by("waitlist_position", "pk")
            .first()
        )
        if first is None:
            break
        position = first.waitlist_position
        if course.offer_hours:
            first.status = EnrollmentStatus.OFFERED
            first.waitlist_position = None
            first.offer_expires_at = (now or timezone.now()) + datetime.timedelta(hours=course.offer_hours)
            first.save(update_fields=["status", "waitlist_position", "offer_expires_at", "updated_at"])
            change_seats(seats, waitlisted=-1, offered=1)
            _log(first, "training.offer", user, {"expires": first.offer_expires_at.isoformat()})
            _notify_after_commit(first, "offered")
        else:
            _confirm(first, user)
            change_seats(seats, waitlisted=-1, confirmed=1)
        _close_waitlist_gap(course, position)
        promoted.append(first)
    return promoted


@answers_busy
def apply_capacity(course_id: int, *, user=None, now=None) -> list[Enrollment]:
    """After the course's capacity (名额) changed: new seats go to the waitlist in order before anyone new.

    Called on every full save of a course (publish, scheduled publish, revert, approval). Returns the
    enrollments promoted. Lowering capacity below the seats taken is refused earlier, by the page's
    validation (`capacity_error`); if a race still leaves the course over capacity nobody loses a
    seat and nobody new gets one until it is back under.
    """
    now = now or timezone.now()
    with locked_course(course_id) as (course, seats):
        if course.allocation == Allocation.LOTTERY and seats.submitted:
            return []  # not drawn yet: the draw places everyone
        if seats.taken > course.capacity:
            logger.warning("Course %s has %s seats taken for capacity %s", course_id, seats.taken, course.capacity)
        return _fill_from_waitlist(course, seats, user, now)


def capacity_error(course_id: int | None, capacity: int | None) -> str:
    """The Chinese refusal when `capacity` is below the seats a course has given out, else ""."""
    if not course_id or capacity is None:
        return ""
    taken = CourseSeats.objects.filter(course_id=course_id).values_list("taken", flat=True).first() or 0
    if capacity >= taken:
        return ""
    return (
        f"名额不能少于已录取（含递补待确认）的 {taken} 人。如需减少名额，请先在“报名管理”中取消相应报名，再修改名额。"
    )


def allocation_error(course_id: int | None, allocation: str) -> str:
    """The Chinese refusal when 录取方式 would change on a course that already has enrollments, else ""."""
    if not course_id:
        return ""
    current = CoursePage.objects.filter(pk=course_id).values_list("allocation", flat=True).first()
    if current in (None, allocation) or not Enrollment.objects.filter(course_id=course_id).exists():
        return ""
    return "已有报名的课程不能更改录取方式（先到先得/摇号），否则已提交的报名将无法按规则录取。"


@answers_busy
def accept_offer(enrollment_id: int, phone: str, *, now=None) -> Enrollment:
    """The applicant takes the seat offered to them, before the offer expires."""
    now = now or timezone.now()
    with locked_course(_course_of(enrollment_id)) as (course, seats):
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
        change_seats(seats, offered=-1, confirmed=1)
        _log(enrollment, "training.accept", None, {})
        _notify_after_commit(enrollment, "promoted")
    return enrollment


@answers_busy
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
        with locked_course(course_id) as (course, seats):
            expired += _expire_due_offers(course, seats, now)
            _fill_from_waitlist(course, seats, None, now)
    return expired


def _expire_due_offers(course, seats, now) -> int:
    """Under the lock: withdraw this course's offers past their deadline (the seat is then free)."""
    if not seats.offered:
        return 0
    due = list(
        Enrollment.objects.filter(course_id=course.pk, status=EnrollmentStatus.OFFERED, offer_expires_at__lt=now)
    )
    for enrollment in due:
        enrollment.status = EnrollmentStatus.CANCELLED
        enrollment.offer_expires_at = None
        enrollment.cancelled_at = now
        enrollment.cancelled_by = "system"
        enrollment.save(update_fields=["status", "offer_expires_at", "cancelled_at", "cancelled_by", "updated_at"])
        _log(enrollment, "training.expire", None, {})
        _notify_after_commit(enrollment, "expired")
    if due:
        change_seats(seats, offered=-len(due))
    return len(due)


@answers_busy
def rebuild_seats(course_id: int, *, fix: bool = True) -> dict:
    """Recount a course's seat row from its enrollments under the lock. Returns {field: (recorded, counted)}
    for every field that differed (empty when the row was right); with `fix` the row is corrected."""
    with locked_course(course_id) as (course, seats):
        counted = count_enrollments(course_id)
        drift = {
            name: (getattr(seats, name), value) for name, value in counted.items() if getattr(seats, name) != value
        }
        if drift and fix:
            for name, value in counted.items():
                setattr(seats, name, value)
            seats.save(update_fields=[*counted, "updated_at"])
            logger.warning("Seat counts of course %s rebuilt: %s", course_id, drift)
    return drift


def _confirm(enrollment, user):
    enrollment.status = EnrollmentStatus.CONFIRMED
    enrollment.waitlist_position = None
    enrollment.save(update_fields=["status", "waitlist_position", "updated_at"])
    _log(enrollment, "training.promote", user, {})
    _notify_after_commit(enrollment, "promoted")


def _close_waitlist_gap(course, position):
    Enrollment.objects.filter(course=course, status=EnrollmentStatus.WAITLISTED, waitlist_position__gt=position).update(
        waitlist_position=F("waitlist_position") - 1
    )


def _log(enrollment, action, user, data):
    """The enrollment's audit-log entry (Wagtail's ModelLogEntry, shown in its 历史记录), in this transaction.

    Written as one INSERT. Wagtail's `log()` makes the same row but runs `full_clean()` first, which
    queries the content type again, and this runs while the course's seat row is locked (every
    confirmed and waitlisted applicant of an opening rush queues behind it). There is nothing to
    validate: `action` is one of ours (training.wagtail_hooks registers them; a test checks) and the
    content type comes from Django's cache.
    """
    from django.contrib.contenttypes.models import ContentType
    from wagtail.log_actions import get_active_log_context
    from wagtail.models import ModelLogEntry

    context = get_active_log_context()
    entry = ModelLogEntry(
        content_type=ContentType.objects.get_for_model(enrollment, for_concrete_model=False),
        object_id=str(enrollment.pk),
        label=str(enrollment),
        action=action,
        data=data,
        timestamp=timezone.now(),
        user=user or context.user,
        uuid=context.uuid,
    )
    try:
        with transaction.atomic():  # a savepoint: on PostgreSQL a failed INSERT would abort the whole transaction
            ModelLogEntry.objects.bulk_create([entry])
    except DatabaseError:  # the audit log must not undo an enrollment
        logger.exception("Could not write the log entry for %s", enrollment.reference)


def _notify_after_commit(enrollment, event):
    """Write the event's notices to the outbox in this transaction; they are delivered after the commit."""
    from training.notifications import notify

    notify(enrollment, event)
