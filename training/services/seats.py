"""A course's seats: the ONE definition of seats taken, seats left and enrollment status.

- taken = confirmed + offered: a seat offered to someone from the waitlist is held for them until they
  accept, the offer is withdrawn or the service expires it, whatever the course's 递补确认时限 says now.
  It is the database-computed column `CourseSeats.taken`, so SQL and Python read the same number.
- left = max(capacity − taken, 0), capacity being the page's 名额.
- status: "upcoming" before the window opens, "closed" from when it closes; inside the window a lottery
  course is "open" (applications are not seats), any other course is "open" while taken < capacity,
  "waitlist" while the waitlist has room, else "full".

`with_seat_state(queryset, now)` annotates course querysets with `seat_taken`, `seat_left`,
`seat_waitlisted` and `seat_status`; the catalogue (filters and cards), the home page row, search
results, the course page, the JSON API and the staff roster header all read these. The enrollment service
reads the same row under its lock (`taken < capacity` is "left > 0"). A page that reads them is kept by the
full-page cache for seconds only (home.pagecache.shows_live_state). Counts change only in
training.services.enrollment / .lottery; `rebuild()` recounts them from the enrollments.

The refusal flag (opening rush). When enrollment opens, most requests arrive after the seats and the
waitlist are gone. The enrollment service, holding the course's seat lock, asks `remember_refusal`
to store this module's status of the course in the shared cache when it is "full" or "closed";
`training.middleware.SoldOutFastPath` then refuses further submissions from that flag, before any
lock, database query or session/CSRF/auth middleware. The flag is only ever a copy of `with_seat_state`
read under the lock, and it is dropped (`forget_refusal`, after the commit) by every transaction that
holds the seat lock (cancellation, capacity change, offer expiry, promotion …) and by every save of the
course or its term. Ordering makes that safe: a flag is written while its writer still holds the lock,
and any change that could free a place takes the same lock afterwards and deletes the flag after its
own commit, so a delete never comes before the write it must undo. A flag also expires by itself after
`REFUSAL_SECONDS` (and before the course's earliest waitlist offer falls due), which bounds what a lost
delete (a Redis error at that instant) could cost. Flags are used only with a cache shared by every
server process (`TRAINING_FAST_REFUSAL`, on with REDIS_URL): with per-process local memory one
process could not drop another's flag.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from home.pagecache import shows_live_state
from training.models import Allocation, CoursePage, CourseSeats, Enrollment, EnrollmentStatus

STATUS_LABELS = {"upcoming": "即将开放", "open": "报名中", "waitlist": "已满可候补", "full": "已满", "closed": "已截止"}
STATUSES = tuple(STATUS_LABELS)


def window_expressions():
    """The effective enrollment window: the course's own times, else its term's defaults."""
    return (
        Coalesce(F("opens_at"), F("term__enrollment_opens_at")),
        Coalesce(F("closes_at"), F("term__enrollment_closes_at")),
    )


def with_seat_state(queryset, now: datetime.datetime | None = None):
    """Annotate CoursePage rows with seat_taken, seat_left, seat_waitlisted (ints), seat_status (str) and
    the effective window (window_opens, window_closes)."""
    shows_live_state()
    now = now or timezone.now()
    opens, closes = window_expressions()
    taken = Coalesce(F("seats__taken"), Value(0))
    waitlisted = Coalesce(F("seats__waitlisted"), Value(0))
    return queryset.annotate(
        window_opens=opens,
        window_closes=closes,
        seat_taken=taken,
        seat_waitlisted=waitlisted,
        seat_left=Greatest(F("capacity") - taken, Value(0), output_field=IntegerField()),
        seat_status=Case(
            When(window_opens__gt=now, then=Value("upcoming")),
            When(window_closes__lte=now, then=Value("closed")),
            When(allocation=Allocation.LOTTERY, then=Value("open")),
            When(Q(capacity__gt=taken), then=Value("open")),
            When(Q(waitlist_size__gt=waitlisted), then=Value("waitlist")),
            default=Value("full"),
        ),
    )


def filter_status(queryset, status: str, now: datetime.datetime | None = None):
    """Courses whose status is `status` (one of STATUSES); any other value matches nothing."""
    if status not in STATUSES:
        return queryset.none()
    return with_seat_state(queryset, now).filter(seat_status=status)


SEAT_STATE_FIELDS = ("seat_taken", "seat_left", "seat_waitlisted", "seat_status")


def load_seat_state(course_id: int, now: datetime.datetime | None = None) -> dict:
    """One course's seat state (the four annotations) in one query."""
    shows_live_state()
    row = with_seat_state(CoursePage.objects.filter(pk=course_id), now).values(*SEAT_STATE_FIELDS).first()
    return row or {"seat_taken": 0, "seat_left": 0, "seat_waitlisted": 0, "seat_status": "closed"}


def ensure_seats(course_ids) -> None:
    """Create missing seat rows (counted from the enrollments), e.g. for pages made without a save signal."""
    course_ids = set(course_ids)
    have = set(CourseSeats.objects.filter(course_id__in=course_ids).values_list("course_id", flat=True))
    missing = [CourseSeats(course_id=pk, **count_enrollments(pk)) for pk in sorted(course_ids - have)]
    if missing:
        CourseSeats.objects.bulk_create(missing, ignore_conflicts=True)


def count_enrollments(course_id: int) -> dict:
    """What the seat row should say, counted from the enrollments themselves."""
    counts = Enrollment.objects.filter(course_id=course_id).aggregate(
        confirmed=Count("pk", filter=Q(status=EnrollmentStatus.CONFIRMED)),
        offered=Count("pk", filter=Q(status=EnrollmentStatus.OFFERED)),
        waitlisted=Count("pk", filter=Q(status=EnrollmentStatus.WAITLISTED)),
        submitted=Count("pk", filter=Q(status=EnrollmentStatus.SUBMITTED)),
    )
    return counts


COUNTED = ("confirmed", "offered", "waitlisted", "submitted")


@dataclass(frozen=True)
class Drift:
    course_id: int
    title: str
    recorded: dict
    counted: dict


def drift_query():
    """Seat rows (with the course title) that disagree with a count of the enrollments, as one query."""

    def count(status):
        return Coalesce(
            Subquery(
                Enrollment.objects.filter(course_id=OuterRef("course_id"), status=status)
                .order_by()
                .values("course_id")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            Value(0),
        )

    rows = CourseSeats.objects.annotate(
        c_confirmed=count(EnrollmentStatus.CONFIRMED),
        c_offered=count(EnrollmentStatus.OFFERED),
        c_waitlisted=count(EnrollmentStatus.WAITLISTED),
        c_submitted=count(EnrollmentStatus.SUBMITTED),
    )
    differs = Q()
    for name in COUNTED:
        differs |= ~Q(**{name: F(f"c_{name}")})
    return rows.filter(differs).select_related("course").order_by("course_id")


# --- The refusal flag (see the module docstring) -----------------------------------------------------
REFUSING_STATUSES = ("full", "closed")
REFUSAL_SECONDS = 5


def fast_refusals_enabled() -> bool:
    return bool(getattr(settings, "TRAINING_FAST_REFUSAL", False))


def refusal_key(course_id: int) -> str:
    return f"training:refusal:{course_id}"


def remember_refusal(course_id: int, now: datetime.datetime | None = None) -> str | None:
    """Store the course's status in the shared cache when it refuses newcomers ("full" or "closed").

    Call ONLY while holding the course's seat lock and before changing anything in this transaction:
    the status is read again here, in this transaction, so it is the committed state nobody can change
    until the lock is released. Returns the status stored, or None.
    """
    if not fast_refusals_enabled():
        return None
    now = now or timezone.now()
    status = load_seat_state(course_id, now)["seat_status"]
    if status not in REFUSING_STATUSES:
        return None
    seconds = float(REFUSAL_SECONDS)
    if status == "full":
        # A waitlist offer that falls due frees a place without anyone taking the lock at that moment.
        due = (
            Enrollment.objects.filter(course_id=course_id, status=EnrollmentStatus.OFFERED)
            .exclude(offer_expires_at=None)
            .order_by("offer_expires_at")
            .values_list("offer_expires_at", flat=True)
            .first()
        )
        if due is not None:
            seconds = min(seconds, (due - now).total_seconds())
    if seconds < 1:
        return None
    cache.set(refusal_key(course_id), status, int(seconds))
    return status


def cached_refusal(course_id: int) -> str | None:
    """The refusing status ("full" / "closed") stored for the course, or None (unknown: ask the database)."""
    if not fast_refusals_enabled():
        return None
    status = cache.get(refusal_key(course_id))
    return status if status in REFUSING_STATUSES else None


def forget_refusal(course_ids) -> None:
    """Drop the flags of these courses now (after a commit that may have freed a place)."""
    if fast_refusals_enabled():
        cache.delete_many([refusal_key(pk) for pk in course_ids])


def forget_refusal_on_commit(course_ids) -> None:
    """Drop the flags when the current transaction commits (at once outside a transaction)."""
    course_ids = list(course_ids)
    if course_ids and fast_refusals_enabled():
        transaction.on_commit(lambda: forget_refusal(course_ids), robust=True)
