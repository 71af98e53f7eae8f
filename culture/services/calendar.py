"""Reading the calendar: occurrences by day range with filters, month grids, week and day agendas.

Every view costs a fixed number of queries whatever the number of events: one for the occurrences of
the range (with their event, category and venue joined), one each for the filter choices.
"""

import calendar as pycalendar
import dataclasses
import datetime

from django.utils import timezone

from culture.models import EventCategory, EventOccurrence, OccurrenceStatus, Venue

FIRST_YEAR = 2010
YEARS_AHEAD = 3
CELL_LIMIT = 4  # occurrences shown in one month-grid cell; the rest behind a link to the day
LONG_RUN_DAYS = 7  # runs longer than this (exhibitions) are listed once above the grid


OCCURRENCE_FIELDS = ("event", "start", "end", "all_day", "date", "end_date", "original_start", "status", "note")
# What calendar lists show of an event (and what its URL needs); the wide page row is not loaded.
EVENT_FIELDS = (
    "event__title",
    "event__slug",
    "event__url_path",
    "event__path",
    "event__depth",
    "event__live",
    "event__locale_id",
    "event__status",
    "event__price",
    "event__category__name",
    "event__category__slug",
    "event__venue__name",
    "event__venue__room",
)


@dataclasses.dataclass
class Filters:
    category: EventCategory | None = None
    venue: Venue | None = None
    categories: list = dataclasses.field(default_factory=list)
    venues: list = dataclasses.field(default_factory=list)
    invalid: bool = False

    @property
    def query(self) -> str:
        parts = []
        if self.category:
            parts.append(f"category={self.category.slug}")
        if self.venue:
            parts.append(f"venue={self.venue.pk}")
        return "&".join(parts)

    @property
    def query_suffix(self) -> str:
        return f"?{self.query}" if self.query else ""

    @property
    def active(self) -> bool:
        return bool(self.category or self.venue)


def read_filters(params) -> Filters:
    """Filters from the query string; unknown values are ignored and flagged, never an error."""
    filters = Filters(categories=list(EventCategory.objects.all()), venues=list(Venue.objects.all()))
    slug = (params.get("category") or "").strip()[:40]
    if slug:
        filters.category = next((c for c in filters.categories if c.slug == slug), None)
        filters.invalid |= filters.category is None
    venue = (params.get("venue") or "").strip()[:12]
    if venue:
        filters.venue = next((v for v in filters.venues if str(v.pk) == venue), None)
        filters.invalid |= filters.venue is None
    return filters


def base_queryset(filters: Filters | None = None):
    queryset = (
        EventOccurrence.objects.filter(event__live=True)
        .select_related("event", "event__category", "event__venue")
        .only(*OCCURRENCE_FIELDS, *EVENT_FIELDS)
    )
    if filters and filters.category:
        queryset = queryset.filter(event__category=filters.category)
    if filters and filters.venue:
        queryset = queryset.filter(event__venue=filters.venue)
    return queryset


def occurrences_between(first: datetime.date, last: datetime.date, filters: Filters | None = None) -> list:
    """Occurrences touching the local days first..last, in start order."""
    return list(base_queryset(filters).filter(date__lte=last, end_date__gte=first).order_by("start", "pk"))


def in_range(year: int, month: int) -> bool:
    today = timezone.localdate()
    return FIRST_YEAR <= year <= today.year + YEARS_AHEAD and 1 <= month <= 12


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


@dataclasses.dataclass
class Day:
    date: datetime.date
    in_month: bool
    occurrences: list
    is_today: bool = False

    @property
    def shown(self) -> list:
        return self.occurrences[:CELL_LIMIT]

    @property
    def hidden_count(self) -> int:
        return max(len(self.occurrences) - CELL_LIMIT, 0)


def group_by_day(occurrences, first: datetime.date, last: datetime.date, skip_long_runs=False) -> dict:
    """day → occurrences on that local day; multi-day runs appear on each day they cover."""
    days: dict[datetime.date, list] = {}
    for occurrence in occurrences:
        if skip_long_runs and (occurrence.end_date - occurrence.date).days >= LONG_RUN_DAYS:
            continue
        day = max(occurrence.date, first)
        end = min(occurrence.end_date, last)
        while day <= end:
            days.setdefault(day, []).append(occurrence)
            day += datetime.timedelta(days=1)
    return days


def month_grid(year: int, month: int, filters: Filters) -> dict:
    """Weeks (Monday first) of Day cells for the month, plus the long runs shown above the grid."""
    cal = pycalendar.Calendar(firstweekday=0)
    weeks_dates = cal.monthdatescalendar(year, month)
    first, last = weeks_dates[0][0], weeks_dates[-1][-1]
    occurrences = occurrences_between(first, last, filters)
    by_day = group_by_day(occurrences, first, last, skip_long_runs=True)
    today = timezone.localdate()
    weeks = [
        [Day(d, d.month == month, by_day.get(d, []), d == today) for d in week_dates] for week_dates in weeks_dates
    ]
    month_first = datetime.date(year, month, 1)
    month_last = datetime.date(year, month, pycalendar.monthrange(year, month)[1])
    long_runs = [
        o
        for o in occurrences
        if (o.end_date - o.date).days >= LONG_RUN_DAYS and o.date <= month_last and o.end_date >= month_first
    ]
    in_month = {o.pk for o in occurrences if o.date <= month_last and o.end_date >= month_first}
    return {"weeks": weeks, "long_runs": long_runs, "count": len(in_month)}


def agenda(first: datetime.date, last: datetime.date, filters: Filters) -> list[Day]:
    """Every day first..last with its occurrences (the week and day views)."""
    by_day = group_by_day(occurrences_between(first, last, filters), first, last)
    today = timezone.localdate()
    days = []
    day = first
    while day <= last:
        days.append(Day(day, True, by_day.get(day, []), day == today))
        day += datetime.timedelta(days=1)
    return days


def upcoming(filters: Filters, now=None):
    """Occurrences that have not ended, soonest first (a queryset, for pagination)."""
    now = now or timezone.now()
    return base_queryset(filters).filter(end__gte=now).exclude(status=OccurrenceStatus.MOVED).order_by("start", "pk")


def next_events(limit: int = 4, now=None) -> list:
    """The next `limit` distinct events with the occurrence that makes them next (one query)."""
    now = now or timezone.now()
    chosen, seen = [], set()
    candidates = (
        base_queryset()
        .filter(end__gte=now)
        .exclude(status__in=[OccurrenceStatus.MOVED, OccurrenceStatus.CANCELLED])
        .order_by("start", "pk")[: limit * 12]
    )
    for occurrence in candidates:
        if occurrence.event_id not in seen:
            seen.add(occurrence.event_id)
            chosen.append(occurrence)
            if len(chosen) == limit:
                break
    return chosen
