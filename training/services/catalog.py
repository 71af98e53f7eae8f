"""The course catalogue's filters: term, category, audience, age, weekday, free/paid, status.

All filtering happens in the database; status is derived from the window and the counters kept on each
course row, so the page costs the same few queries with ten courses or a thousand.
"""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from training.models import WEEKDAY_CHOICES, Audience, CourseCategory, CoursePage, Term
from training.services.enrollment import STATUS_LABELS

PER_PAGE = 24


def status_q(status: str, now) -> Q | None:
    opens = Coalesce(F("opens_at"), F("term__enrollment_opens_at"))
    closes = Coalesce(F("closes_at"), F("term__enrollment_closes_at"))
    windows = {
        "upcoming": Q(_opens__gt=now),
        "closed": Q(_closes__lte=now),
    }
    in_window = Q(_opens__lte=now, _closes__gt=now)
    if status in windows:
        return windows[status], opens, closes
    if status == "open":
        return in_window & (Q(allocation="lottery") | Q(confirmed_count__lt=F("capacity"))), opens, closes
    if status == "waitlist":
        return (
            in_window & Q(allocation="fcfs", confirmed_count__gte=F("capacity"), waitlist_count__lt=F("waitlist_size")),
            opens,
            closes,
        )
    return None


def _int(value, low, high):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def catalog_context(index_page, request) -> dict:
    now = timezone.now()
    get = request.GET
    courses = (
        CoursePage.objects.live()
        .public()
        .descendant_of(index_page)
        .select_related("term", "category", "cover_image", "venue")
    )
    terms = list(Term.objects.filter(courses__in=courses).distinct())
    categories = list(CourseCategory.objects.all())
    filters = {}

    term_id = _int(get.get("term"), 1, 10**9)
    if term_id and any(t.pk == term_id for t in terms):
        courses = courses.filter(term_id=term_id)
        filters["term"] = term_id
    category = get.get("category", "")[:40]
    if category and any(c.slug == category for c in categories):
        courses = courses.filter(category__slug=category)
        filters["category"] = category
    audience = get.get("audience", "")
    if audience in Audience.values:
        courses = courses.filter(audience=audience)
        filters["audience"] = audience
    age = _int(get.get("age"), 0, 100)
    if age is not None:
        courses = courses.filter(
            Q(age_min__isnull=True) | Q(age_min__lte=age), Q(age_max__isnull=True) | Q(age_max__gte=age)
        )
        filters["age"] = age
    weekday = get.get("weekday", "")
    if weekday in dict(WEEKDAY_CHOICES):
        courses = courses.filter(weekdays__contains=weekday)
        filters["weekday"] = weekday
    fee = get.get("fee", "")
    if fee == "free":
        courses = courses.filter(fee=0)
        filters["fee"] = fee
    elif fee == "paid":
        courses = courses.filter(fee__gt=0)
        filters["fee"] = fee
    status = get.get("status", "")
    built = status_q(status, now)
    if built:
        condition, opens, closes = built
        courses = courses.annotate(_opens=opens, _closes=closes).filter(condition)
        filters["status"] = status

    paginator = Paginator(courses.order_by("term__starts_on", "category__sort_order", "title"), PER_PAGE)
    try:
        page_obj = paginator.page(get.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        page_obj = paginator.page(1)
    items = list(page_obj.object_list)
    for course in items:
        course.current_status = course.status(now)
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    return {
        "courses": items,
        "page_obj": page_obj,
        "terms": terms,
        "categories": categories,
        "filters": filters,
        "query_prefix": f"{query}&" if query else "",
        "status_labels": STATUS_LABELS,
        "weekday_choices": WEEKDAY_CHOICES,
        "audience_choices": Audience.choices,
    }


def open_courses(limit: int = 4) -> list:
    """Courses taking enrollments now or opening soon, soonest closing first (home page row)."""
    now = timezone.now()
    opens = Coalesce(F("opens_at"), F("term__enrollment_opens_at"))
    closes = Coalesce(F("closes_at"), F("term__enrollment_closes_at"))
    courses = list(
        CoursePage.objects.live()
        .public()
        .select_related("term", "category", "cover_image")
        .annotate(_opens=opens, _closes=closes)
        .filter(_closes__gt=now)
        .order_by("_opens", "_closes", "title")[:limit]
    )
    for course in courses:
        course.current_status = course.status(now)
    return courses
