"""iCalendar (RFC 5545) export with the icalendar library.

One VEVENT per date rule: a one-off slot or run as itself, a series as one VEVENT with an RRULE, its
skipped, cancelled and postponed dates as EXDATE, and each moved date as an override VEVENT with the
same UID and a RECURRENCE-ID. Times carry TZID=Asia/Shanghai with the VTIMEZONE included; all-day
events use DATE values. UIDs come from the rule's stored UUID, so they stay stable across edits.
"""

import datetime

from django.utils import timezone
from icalendar import Calendar, Event, vRecur

from .occurrences import expand_rule, rule_rrule, span

PRODID = "-//Haining Workers' Cultural Palace//haining-ftu//ZH"
UID_DOMAIN = "haining-ftu"  # UIDs are UUIDs; the domain part only names whose they are, never the request host
WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
ICAL_STATUS = {"scheduled": "CONFIRMED", "cancelled": "CANCELLED", "postponed": "TENTATIVE", "sold_out": "CONFIRMED"}


def new_calendar(name: str, description: str = "") -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", str(timezone.get_default_timezone()))
    if description:
        cal.add("x-wr-caldesc", description)
    return cal


def _value(start: datetime.datetime, all_day: bool):
    local = timezone.localtime(start)
    return local.date() if all_day else local


def _describe(event, url: str, note: str = "") -> str:
    lines = [event.summary_text] if event.summary_text else []
    if event.status_note:
        lines.append(event.status_note)
    if note:
        lines.append(note)
    lines.append("票价：" + ("免费" if event.is_free else event.price))
    if event.booking_note:
        lines.append(event.booking_note)
    lines.append(url)
    return "\n".join(lines)


def _location(event) -> str:
    venue = event.venue
    if venue is None:
        return ""
    return "，".join(part for part in (str(venue), venue.address) if part)


def _base_vevent(event, uid: str, url: str, stamp: datetime.datetime, note: str = "") -> Event:
    vevent = Event()
    vevent.add("uid", uid)
    vevent.add("dtstamp", stamp)
    vevent.add("summary", event.title)
    vevent.add("description", _describe(event, url, note))
    vevent.add("url", url)
    location = _location(event)
    if location:
        vevent.add("location", location)
    if event.category:
        vevent.add("categories", [event.category.name])
    if event.organiser:
        vevent.add("x-organiser-name", event.organiser)
    vevent.add("status", ICAL_STATUS.get(event.status, "CONFIRMED"))
    if event.last_published_at:
        vevent.add("last-modified", event.last_published_at)
    return vevent


def _add_times(vevent: Event, start, end, all_day: bool):
    vevent.add("dtstart", _value(start, all_day))
    if all_day:
        vevent.add("dtend", timezone.localtime(end).date())
    elif end > start:
        vevent.add("dtend", timezone.localtime(end))


def event_components(event, rules, changes, url: str, host: str) -> list[Event]:
    """The VEVENTs for one event (its rules and date changes already loaded)."""
    stamp = event.last_published_at or timezone.now()
    changes_by_date = {c.date: c for c in changes}
    components = []
    for rule in rules:
        uid = f"{rule.uid}@{host}"
        recurrence = rule_rrule(rule)
        if recurrence is None:
            change = changes_by_date.get(rule.start_date)
            if change is not None and change.kind == "skip":
                continue
            day, start_time, end_time = rule.start_date, None, None
            if change is not None and change.kind == "moved" and change.new_date:
                day, start_time, end_time = change.new_date, change.new_start_time, change.new_end_time
            start, end, _ = span(rule, day, start_time, end_time)
            vevent = _base_vevent(event, uid, url, stamp, change.note if change else "")
            _add_times(vevent, start, end, rule.all_day and start_time is None)
            if change is not None and change.kind in ("cancelled", "postponed"):
                vevent["status"] = "CANCELLED" if change.kind == "cancelled" else "TENTATIVE"
            components.append(vevent)
            continue

        starts = expand_rule(rule)
        if not starts:
            continue
        first = starts[0]
        start, end, _ = span(rule, first.date())
        vevent = _base_vevent(event, uid, url, stamp)
        _add_times(vevent, start, end, rule.all_day)
        recur = {"freq": rule.repeat.upper()}
        if rule.interval and rule.interval > 1:
            recur["interval"] = rule.interval
        if rule.repeat == "weekly":
            recur["byday"] = [WEEKDAY_CODES[int(d)] for d in (rule.weekdays or str(rule.start_date.weekday()))]
        last_start = starts[-1]
        if rule.all_day:
            recur["until"] = last_start.date()
        else:
            recur["until"] = timezone.make_aware(last_start, timezone.get_default_timezone()).astimezone(datetime.UTC)
        vevent.add("rrule", vRecur(recur))
        overrides = []
        excluded = []
        for naive in starts:
            change = changes_by_date.get(naive.date())
            if change is None or change.kind == "sold_out":
                continue
            original_start, _, _ = span(rule, naive.date())
            if change.kind == "moved" and change.new_date:
                new_start, new_end, _ = span(rule, change.new_date, change.new_start_time, change.new_end_time)
                override = _base_vevent(event, uid, url, stamp, change.note)
                override.add("recurrence-id", _value(original_start, rule.all_day))
                _add_times(override, new_start, new_end, rule.all_day and change.new_start_time is None)
                overrides.append(override)
            else:
                excluded.append(_value(original_start, rule.all_day))
        if excluded:
            vevent.add("exdate", excluded)
        components.append(vevent)
        components.extend(overrides)
    return components


def calendar_bytes(events, name: str, request, description: str = "") -> bytes:
    host = UID_DOMAIN
    """A whole calendar for the given events (each with `dates` and `date_changes` prefetched)."""
    cal = new_calendar(name, description)
    for event in events:
        url = event.get_full_url(request) or ""
        for component in event_components(event, event.dates.all(), event.date_changes.all(), url, host):
            cal.add_component(component)
    cal.add_missing_timezones()
    return cal.to_ical()
