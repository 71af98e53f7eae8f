"""Expanding an event's date rules into stored occurrences (dateutil's rrule does the date arithmetic)."""

import datetime

from dateutil import rrule as rr
from django.db import transaction
from django.utils import timezone

OCCURRENCE_LIMIT = 800  # per rule; a two-year daily series is the longest an editor can enter

FREQUENCIES = {"daily": rr.DAILY, "weekly": rr.WEEKLY, "monthly": rr.MONTHLY}


def local_tz():
    return timezone.get_default_timezone()


def rule_rrule(rule) -> rr.rrule | None:
    """The dateutil rule for a repeating `EventDate` (naive local datetimes), or None for a one-off."""
    if not rule.repeat:
        return None
    dtstart = datetime.datetime.combine(rule.start_date, rule.start_time or datetime.time(0))
    byweekday = None
    if rule.repeat == "weekly":
        byweekday = [int(d) for d in (rule.weekdays or str(rule.start_date.weekday()))]
    until = datetime.datetime.combine(rule.repeat_until, datetime.time(23, 59, 59))
    return rr.rrule(
        FREQUENCIES[rule.repeat],
        dtstart=dtstart,
        interval=max(rule.interval or 1, 1),
        byweekday=byweekday,
        until=until,
        count=None,
    )


def expand_rule(rule) -> list[datetime.datetime]:
    """Naive local start datetimes of every date the rule produces (a one-off gives one)."""
    recurrence = rule_rrule(rule)
    if recurrence is None:
        return [datetime.datetime.combine(rule.start_date, rule.start_time or datetime.time(0))]
    starts = []
    for start in recurrence:
        starts.append(start)
        if len(starts) >= OCCURRENCE_LIMIT:
            break
    return starts


def aware(value: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(value, local_tz())


def span(rule, start_date: datetime.date, start_time=None, end_time=None):
    """(start, end, last local day) of one occurrence that begins on `start_date`."""
    start_time = start_time if start_time is not None else rule.start_time
    end_time = end_time if end_time is not None else rule.end_time
    last_day = start_date
    if not rule.repeat and rule.end_date:
        last_day = start_date + (rule.end_date - rule.start_date)
    if start_time is None:  # all day: ends at the midnight after the last day
        start = aware(datetime.datetime.combine(start_date, datetime.time(0)))
        end = aware(datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time(0)))
        return start, end, last_day
    start = aware(datetime.datetime.combine(start_date, start_time))
    if end_time is not None and (last_day != start_date or end_time > start_time):
        end = aware(datetime.datetime.combine(last_day, end_time))
    else:
        end = start
    return start, end, last_day


def build_occurrences(event, rules, changes) -> list:
    """Unsaved `EventOccurrence` objects for the given rules and date changes."""
    from culture.models import EventDateChange, EventOccurrence, OccurrenceStatus

    changes_by_date = {change.date: change for change in changes}
    occurrences = []
    for rule in rules:
        for naive_start in expand_rule(rule):
            day = naive_start.date()
            change = changes_by_date.get(day)
            start, end, last_day = span(rule, day)
            status, note, original = OccurrenceStatus.SCHEDULED, "", None
            if change is not None:
                note = change.note
                if change.kind == EventDateChange.Kind.SKIP:
                    continue
                if change.kind == EventDateChange.Kind.MOVED and change.new_date:
                    # The original slot stays visible, struck through, pointing to the new date.
                    status = OccurrenceStatus.MOVED
                    new_start, new_end, new_last = span(
                        rule, change.new_date, change.new_start_time, change.new_end_time
                    )
                    occurrences.append(
                        EventOccurrence(
                            event=event,
                            rule_uid=rule.uid,
                            start=new_start,
                            end=new_end,
                            all_day=rule.all_day and change.new_start_time is None,
                            date=change.new_date,
                            end_date=new_last,
                            original_start=start,
                            status=OccurrenceStatus.SCHEDULED,
                            note=change.note,
                        )
                    )
                else:
                    status = {
                        EventDateChange.Kind.CANCELLED: OccurrenceStatus.CANCELLED,
                        EventDateChange.Kind.POSTPONED: OccurrenceStatus.POSTPONED,
                        EventDateChange.Kind.SOLD_OUT: OccurrenceStatus.SOLD_OUT,
                    }.get(change.kind, OccurrenceStatus.SCHEDULED)
            occurrences.append(
                EventOccurrence(
                    event=event,
                    rule_uid=rule.uid,
                    start=start,
                    end=end,
                    all_day=rule.all_day,
                    date=day,
                    end_date=last_day,
                    original_start=original,
                    status=status,
                    note=note,
                )
            )
    occurrences.sort(key=lambda o: (o.start, o.end))
    return occurrences


def sync_occurrences(event) -> int:
    """Replace the stored occurrences of `event` with those its current rules produce."""
    from culture.models import EventOccurrence

    rules = list(event.dates.all())
    changes = list(event.date_changes.all())
    occurrences = build_occurrences(event, rules, changes)
    with transaction.atomic():
        EventOccurrence.objects.filter(event_id=event.pk).delete()
        EventOccurrence.objects.bulk_create(occurrences, batch_size=500)
    return len(occurrences)
