"""The enrollment panel on the admin home page (仪表盘): per term, each course's seats; applications per hour
around the opening time; lottery courses waiting for a draw.

Charts are inline SVG drawn from numbers computed here (no chart library, no CDN, no script: nothing for
the Content Security Policy to allow); colours come from static/css/staff-admin.css. Every chart is
hidden from screen readers and followed by the same numbers as a table (visually hidden), so nothing is
only in the picture. A fixed number of queries whatever the number of courses or enrollments.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncHour
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component

from training.admin_views import can_change_enrollments
from training.models import Allocation, CoursePage, Enrollment, EnrollmentStatus, Term
from training.services.seats import with_seat_state

#: Hours shown around the opening time: one before, then the first day.
HOURS_BEFORE, HOURS_AFTER = 1, 23

# Geometry of the seats chart (SVG user units = CSS px at 100 %).
LABEL_WIDTH, BAR_WIDTH, ROW_HEIGHT, VALUE_WIDTH = 200, 420, 26, 170


def choose_term(now, term_id=None) -> Term | None:
    """The term asked for, else the one open for enrollment now, else the next to open, else the latest."""
    if term_id:
        term = Term.objects.filter(pk=term_id).first()
        if term:
            return term
    open_now = Term.objects.filter(enrollment_opens_at__lte=now, enrollment_closes_at__gt=now)
    return (
        open_now.order_by("enrollment_opens_at").first()
        or Term.objects.filter(enrollment_opens_at__gt=now).order_by("enrollment_opens_at").first()
        or Term.objects.order_by("-enrollment_opens_at").first()
    )


@dataclass
class CourseSeats:
    pk: int
    title: str
    capacity: int
    confirmed: int
    waitlisted: int
    waitlist_size: int
    offered: int
    submitted: int
    lottery: bool
    seats_left: int


def course_seats(term: Term, now=None) -> list[CourseSeats]:
    """One query: each course's seat row (training.services.seats: the numbers the rules use)."""
    rows = []
    for course in (
        with_seat_state(CoursePage.objects.filter(term=term), now)
        .order_by("title", "pk")
        .values(
            "pk",
            "title",
            "capacity",
            "waitlist_size",
            "allocation",
            "seat_left",
            "seats__confirmed",
            "seats__offered",
            "seats__waitlisted",
            "seats__submitted",
        )
    ):
        rows.append(
            CourseSeats(
                pk=course["pk"],
                title=course["title"],
                capacity=course["capacity"],
                confirmed=course["seats__confirmed"] or 0,
                waitlisted=course["seats__waitlisted"] or 0,
                waitlist_size=course["waitlist_size"],
                offered=course["seats__offered"] or 0,
                submitted=course["seats__submitted"] or 0,
                lottery=course["allocation"] == Allocation.LOTTERY,
                seats_left=course["seat_left"],
            )
        )
    return rows


def seats_chart(rows: list[CourseSeats]) -> dict:
    """Bar geometry: per course, the seats as an outline; confirmed, offered, then waitlisted (after the seats)
    as filled segments, on one scale for the whole term."""
    scale_max = max([1, *(max(r.capacity, r.confirmed + r.offered) + r.waitlisted + r.submitted for r in rows)])
    unit = BAR_WIDTH / scale_max
    bars = []
    for index, row in enumerate(rows):
        y = index * ROW_HEIGHT
        x = LABEL_WIDTH
        segments = []
        for kind, value in (
            ("confirmed", row.confirmed),
            ("offered", row.offered),
            ("waitlisted", row.waitlisted),
            ("submitted", row.submitted),
        ):
            if value:
                segments.append({"kind": kind, "x": round(x, 1), "width": round(value * unit, 1)})
                x += value * unit
        title = row.title if len(row.title) <= 13 else row.title[:12] + "…"
        if row.lottery:
            summary = f"待摇号 {row.submitted} / 名额 {row.capacity}"
        else:
            summary = f"{row.confirmed}/{row.capacity}" + (f" 候补{row.waitlisted}" if row.waitlisted else "")
            summary += f" 递补{row.offered}" if row.offered else ""
        bars.append(
            {
                "row": row,
                "label": title,
                "y": y,
                "text_y": y + ROW_HEIGHT * 0.65,
                "bar_y": y + 5,
                "capacity_width": round(row.capacity * unit, 1),
                "segments": segments,
                "summary": summary,
                "roster_url": reverse("enrollments:index") + f"?course={row.pk}",
            }
        )
    return {
        "bars": bars,
        "width": LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH,
        "height": max(len(rows), 1) * ROW_HEIGHT + 4,
        "label_x": LABEL_WIDTH - 8,
        "value_x": LABEL_WIDTH + BAR_WIDTH + 8,
        "bar_height": ROW_HEIGHT - 10,
    }


def hourly_applications(term: Term) -> dict:
    """Applications per hour (Beijing time) from an hour before the term's opening time to 23 hours after."""
    zone = ZoneInfo(settings.TIME_ZONE)
    opens = timezone.localtime(term.enrollment_opens_at, zone).replace(minute=0, second=0, microsecond=0)
    start = opens - datetime.timedelta(hours=HOURS_BEFORE)
    end = opens + datetime.timedelta(hours=HOURS_AFTER + 1)
    counts = {
        timezone.localtime(row["hour"], zone): row["n"]
        for row in Enrollment.objects.filter(course__term=term, created_at__gte=start, created_at__lt=end)
        .annotate(hour=TruncHour("created_at", tzinfo=zone))
        .values("hour")
        .annotate(n=Count("pk"))
        .order_by()
    }
    hours = [start + datetime.timedelta(hours=h) for h in range(HOURS_BEFORE + HOURS_AFTER + 1)]
    values = [counts.get(hour, 0) for hour in hours]
    peak = max([1, *values])
    width, height, left, bottom = 640, 160, 36, 22
    step = (width - left) / len(hours)
    bars = []
    for index, (hour, value) in enumerate(zip(hours, values, strict=True)):
        bar_height = round(value / peak * (height - bottom - 14), 1)
        bars.append(
            {
                "hour": hour,
                "label": f"{hour:%H}时",
                "value": value,
                "x": round(left + index * step + 2, 1),
                "width": round(step - 4, 1),
                "y": round(height - bottom - bar_height, 1),
                "height": bar_height,
                "text_x": round(left + index * step + step / 2, 1),
                "show_label": index % 3 == HOURS_BEFORE % 3,
                "is_opening": hour == opens,
            }
        )
    return {
        "bars": bars,
        "width": width,
        "height": height,
        "axis_y": height - bottom,
        "label_y": height - 6,
        "peak": peak,
        "peak_y": 12,
        "left": left,
        "total": sum(values),
        "opens": opens,
        "start": start,
        "end": end,
    }


def lottery_waiting(now) -> list[dict]:
    """Lottery courses whose window has closed and that have not been drawn yet, with their entrants."""
    courses = [
        course
        for course in CoursePage.objects.live()
        .filter(allocation=Allocation.LOTTERY, lottery_draw__isnull=True)
        .select_related("term")
        .only("title", "capacity", "closes_at", "term__name", "term__enrollment_closes_at")
        if course.window_closes_at <= now
    ]
    entrants = dict(
        Enrollment.objects.filter(course__in=courses, status=EnrollmentStatus.SUBMITTED)
        .values("course_id")
        .annotate(n=Count("pk"))
        .values_list("course_id", "n")
    )
    return [
        {
            "course": course,
            "entrants": entrants.get(course.pk, 0),
            "closed": timezone.localtime(course.window_closes_at).strftime("%Y-%m-%d %H:%M"),
            "url": reverse("training_lottery_draw", args=[course.pk]),
        }
        for course in courses
    ]


class EnrollmentDashboardPanel(Component):
    """报名概况 on the admin home page, for staff who may view enrollments."""

    name = "enrollment_dashboard"
    order = 50
    template_name = "training/admin/dashboard_panel.html"

    class Media:
        css = {"all": ["css/staff-admin.css"]}

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        now = timezone.now()
        term_id = self.request.GET.get("term", "")
        term = choose_term(now, int(term_id) if term_id.isdigit() else None)
        context = {
            "term": term,
            "terms": list(Term.objects.order_by("-enrollment_opens_at").values("pk", "name")[:8]),
            "lottery": lottery_waiting(now) if can_change_enrollments(self.request.user) else [],
        }
        if term is not None:
            rows = course_seats(term, now)
            context.update(
                rows=rows,
                seats=seats_chart(rows),
                hourly=hourly_applications(term),
                totals={
                    "capacity": sum(r.capacity for r in rows),
                    "confirmed": sum(r.confirmed for r in rows),
                    "waitlisted": sum(r.waitlisted for r in rows),
                    "offered": sum(r.offered for r in rows),
                    "submitted": sum(r.submitted for r in rows),
                },
            )
        return context
