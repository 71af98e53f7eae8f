"""The calendar's views, called from EventIndexPage's and EventPage's routes. Rules live in services."""

import datetime

from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from home.signals import content_version

from .models import EventDate, EventDateChange, EventPage, with_date_span
from .services import calendar as cal
from .services.ical import calendar_bytes

UPCOMING_PER_PAGE = 20
PAST_PER_PAGE = 12
FEED_PAST_DAYS = 90
WEEKDAYS = "一二三四五六日"


def _page_of(queryset, number, per_page):
    paginator = Paginator(queryset, per_page)
    try:
        return paginator.page(number)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


def _common(request, index, filters, view_name, **extra) -> dict:
    today = timezone.localdate()
    context = {
        "filters": filters,
        "view_name": view_name,
        "today": today,
        "this_week": today - datetime.timedelta(days=today.weekday()),
        "query_prefix": filters.query + "&" if filters.query else "",
    }
    context.update(extra)
    return context


def upcoming(request, index):
    filters = cal.read_filters(request.GET)
    page_obj = _page_of(cal.upcoming(filters), request.GET.get("page", "1")[:12], UPCOMING_PER_PAGE)
    occurrences = list(page_obj.object_list)
    days = []
    for occurrence in occurrences:
        if not days or days[-1][0] != occurrence.date:
            days.append((occurrence.date, []))
        days[-1][1].append(occurrence)
    return index.render(
        request,
        template="culture/event_index_page.html",
        context_overrides=_common(request, index, filters, "upcoming", page_obj=page_obj, days=days),
    )


def month(request, index, year, month):
    if not cal.in_range(year, month):
        raise Http404("没有这个月份的日历")
    filters = cal.read_filters(request.GET)
    prev_year, prev_month = cal.shift_month(year, month, -1)
    next_year, next_month = cal.shift_month(year, month, 1)
    return index.render(
        request,
        template="culture/event_month.html",
        context_overrides=_common(
            request,
            index,
            filters,
            "month",
            year=year,
            month=month,
            weekday_names=WEEKDAYS,
            # Evaluated only when the cached grid fragment is missing.
            grid=SimpleLazyObject(lambda: cal.month_grid(year, month, filters)),
            content_version=content_version(),
            prev=(prev_year, prev_month) if cal.in_range(prev_year, prev_month) else None,
            next=(next_year, next_month) if cal.in_range(next_year, next_month) else None,
        ),
    )


def _valid_date(year, month, day) -> datetime.date:
    if not cal.in_range(year, month):
        raise Http404("没有这一天的日历")
    try:
        return datetime.date(year, month, day)
    except ValueError as exc:
        raise Http404("没有这一天的日历") from exc


def _agenda(request, index, view, first, last, step):
    """The agenda from `first` to `last`; the previous and next links move by `step`."""
    filters = cal.read_filters(request.GET)
    return index.render(
        request,
        template="culture/event_agenda.html",
        context_overrides=_common(
            request,
            index,
            filters,
            view,
            days=cal.agenda(first, last, filters),
            first=first,
            last=last,
            prev=first - step,
            next=first + step,
        ),
    )


def day(request, index, year, month, day):
    date = _valid_date(year, month, day)
    return _agenda(request, index, "day", date, date, datetime.timedelta(days=1))


def week(request, index, year, month, day):
    date = _valid_date(year, month, day)
    monday = date - datetime.timedelta(days=date.weekday())
    if monday != date:
        url = index.url + index.reverse_subpage("week", args=(monday.year, monday.month, monday.day))
        return redirect(url + (f"?{request.GET.urlencode()}" if request.GET else ""))
    return _agenda(request, index, "week", monday, monday + datetime.timedelta(days=6), datetime.timedelta(days=7))


def today(request, index):
    today = timezone.localdate()
    url = index.url + index.reverse_subpage("month", args=(today.year, today.month))
    return redirect(url + (f"?{request.GET.urlencode()}" if request.GET else ""))


def past(request, index):
    filters = cal.read_filters(request.GET)
    events = (
        with_date_span(
            EventPage.objects.live().public().child_of(index).select_related("category", "venue", "cover_image")
        )
        .filter(last_end__lt=timezone.now())
        .order_by("-last_end", "-pk")
    )
    if filters.category:
        events = events.filter(category=filters.category)
    if filters.venue:
        events = events.filter(venue=filters.venue)
    page_obj = _page_of(events, request.GET.get("page", "1")[:12], PAST_PER_PAGE)
    return index.render(
        request,
        template="culture/event_past.html",
        context_overrides=_common(
            request, index, filters, "past", page_obj=page_obj, events=list(page_obj.object_list)
        ),
    )


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=900"
    return response


def calendar_feed(request, index, category_slug: str = ""):
    """The subscribable feed: events with a date in the last 90 days or ahead, whole or one category."""
    filters = cal.read_filters({"category": category_slug})
    if category_slug and filters.category is None:
        raise Http404("没有这个活动类别")
    key = f"culture-ical:{content_version()}:{index.pk}:{category_slug}:{request.get_host()}:{timezone.localdate()}"
    body = cache.get(key)
    if body is None:
        since = timezone.now() - datetime.timedelta(days=FEED_PAST_DAYS)
        events = (
            with_date_span(EventPage.objects.live().public().child_of(index).select_related("category", "venue"))
            .filter(last_end__gte=since)
            .prefetch_related(
                Prefetch("dates", queryset=EventDate.objects.order_by("sort_order", "pk")),
                Prefetch("date_changes", queryset=EventDateChange.objects.all()),
            )
            .order_by("first_start", "pk")
        )
        if filters.category:
            events = events.filter(category=filters.category)
        name = "海宁市工人文化宫 · " + (filters.category.name if filters.category else "文化活动")
        body = calendar_bytes(events, name, request, "海宁市工人文化宫文化活动日历")
        cache.set(key, body, 3600)
    return _ics_response(body, f"haining-{category_slug or 'events'}.ics")


def event_ics(request, event):
    if not event.live:
        raise Http404
    event = (
        EventPage.objects.select_related("category", "venue")
        .prefetch_related(
            Prefetch("dates", queryset=EventDate.objects.order_by("sort_order", "pk")),
            Prefetch("date_changes", queryset=EventDateChange.objects.all()),
        )
        .get(pk=event.pk)
    )
    return _ics_response(calendar_bytes([event], event.title, request), f"event-{event.pk}.ics")
