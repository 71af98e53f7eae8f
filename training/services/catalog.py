"""The course catalogue's filters: term, category, audience, age, weekday, free/paid, status.

All filtering happens in the database; status and seats come from training.services.seats (the one
definition, as SQL annotations over each course's seat row), so the page costs the same few queries with
ten courses or a thousand.
"""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Q
from django.utils import timezone

from training.models import WEEKDAY_CHOICES, Audience, CourseCategory, CoursePage, Term
from training.services.seats import STATUS_LABELS, STATUSES, with_seat_state

PER_PAGE = 24


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
    courses = with_seat_state(courses, now)
    status = get.get("status", "")
    if status in STATUSES:
        courses = courses.filter(seat_status=status)
        filters["status"] = status

    paginator = Paginator(courses.order_by("term__starts_on", "category__sort_order", "title"), PER_PAGE)
    try:
        page_obj = paginator.page(get.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        page_obj = paginator.page(1)
    items = list(page_obj.object_list)
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
    return list(
        with_seat_state(CoursePage.objects.live().public().select_related("term", "category", "cover_image"), now)
        .filter(window_closes__gt=now)
        .order_by("window_opens", "window_closes", "title")[:limit]
    )
