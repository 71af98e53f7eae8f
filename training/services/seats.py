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
reads the same row under its lock (`taken < capacity` is "left > 0"). Counts change only in
training.services.enrollment / .lottery; `rebuild()` recounts them from the enrollments.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

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
