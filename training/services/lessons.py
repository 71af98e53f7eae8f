"""Lesson dates of a course: expanded from the page's rules, the PRC holiday calendar and staff changes.

Rules (content on the CoursePage): weekdays (1 = Monday … 7 = Sunday), start/end time, the first date,
and a number of lessons and/or an end date. dateutil's `rrule` walks the weekdays; the `holidays`
library's China calendar (the State Council's published arrangement: statutory holidays, their
substitute days off, and the weekend days turned into working days, 调休上班日) decides which dates are
skipped (`skip_holidays`) and what happens on a 调休上班日 (`makeup_workdays`: as usual, skip, or add a
lesson on it). Skipped holidays do not count toward the number of lessons; they are kept as rows so the
page can say "10月1日 国庆节停课".

Staff changes (LessonChange: cancel one lesson, or move it to another date/time) are live state and
are applied on top, after which the enrolled get a notice. `sync_lessons` rebuilds the stored rows.
"""

import datetime
import functools
from collections import Counter
from dataclasses import dataclass

from dateutil import rrule as rr
from django.db import transaction
from django.utils import timezone

LESSON_LIMIT = 200  # per course; also the bound on how far the rule is walked
SEARCH_DAYS = 3 * 366  # without an end date, stop looking after three years
WEEKDAY_NAMES = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


@dataclass(frozen=True)
class PlannedDate:
    date: datetime.date
    holiday: str = ""  # the holiday's name when the date is skipped for it
    makeup: bool = False  # a 调休上班日


def parse_weekdays(text: str) -> list[int]:
    """ "6,7" / "６，７" / "2、4" → [5, 6] (dateutil/Python weekday numbers, Monday = 0); bad parts ignored."""
    days = set()
    for part in text.translate(str.maketrans("，、；; ０１２３４５６７", ",,,,,01234567")).split(","):
        part = part.strip()
        if part.isdigit() and 1 <= int(part) <= 7:
            days.add(int(part) - 1)
    return sorted(days)


@functools.lru_cache(maxsize=16)
def china_calendar(year: int) -> tuple[dict[datetime.date, str], frozenset[datetime.date]]:
    """({day off: holiday name}, {调休上班日}) for one year, from the `holidays` package (names in Chinese).

    The State Council announces each holiday as one run of days off ("10月1日至7日放假调休，共7天"):
    weekend days inside or next to a holiday run belong to it, substitute days (补假, 调休休息日) take
    the run's name, so a Sunday class on 10月4日 is skipped as 国庆节 like the weekdays around it.
    """
    import holidays  # here, not at the top: ~9 MiB that only staff's lesson planning needs, not each web worker

    calendar = holidays.China(years=[year - 1, year, year + 1], language="zh_CN")
    workdays = frozenset(getattr(calendar, "weekend_workdays", ()))

    def off(day):
        return day in calendar or (day.weekday() >= 5 and day not in workdays)

    days_off = {}
    day = datetime.date(year, 1, 1)
    while day.year == year:
        if day in calendar and day not in days_off:
            start = day
            while off(start - datetime.timedelta(days=1)):
                start -= datetime.timedelta(days=1)
            run, cursor = [], start
            while off(cursor):
                run.append(cursor)
                cursor += datetime.timedelta(days=1)
            names = Counter(calendar[d].split("（")[0].replace("农历除夕", "春节") for d in run if d in calendar)
            names.pop("休息日", None)
            name = names.most_common(1)[0][0] if names else "节假日"
            days_off.update({d: name for d in run if d.year == year})
        day += datetime.timedelta(days=1)
    return days_off, frozenset(d for d in workdays if d.year == year)


def holiday_name(day: datetime.date) -> str:
    return china_calendar(day.year)[0].get(day, "")


def is_makeup_workday(day: datetime.date) -> bool:
    return day in china_calendar(day.year)[1]


def planned_dates(course) -> list[PlannedDate]:
    """The dates the rules give, in order: held ones (holiday == "") and skipped holidays.

    Stops at `lessons` held dates, at `last_lesson`, or at LESSON_LIMIT, whichever comes first. No
    first date or no weekdays: no dates (the page then shows no schedule rather than a wrong one).
    """
    weekdays = parse_weekdays(course.weekdays or "")
    if not course.first_lesson or not weekdays:
        return []
    if not course.lessons and not course.last_lesson:
        return []
    until = course.last_lesson or course.first_lesson + datetime.timedelta(days=SEARCH_DAYS)
    wanted = course.lessons or LESSON_LIMIT
    makeup_mode = course.makeup_workdays
    start = datetime.datetime.combine(course.first_lesson, datetime.time(0))
    rule = rr.rrule(rr.WEEKLY, byweekday=weekdays, dtstart=start, until=datetime.datetime.combine(until, start.time()))
    candidates = {day.date() for day in rule}
    if makeup_mode == "add":  # a weekend day worked as a weekday: the weekday course meets on it too
        for year in range(course.first_lesson.year, until.year + 1):
            candidates |= {d for d in china_calendar(year)[1] if course.first_lesson <= d <= until}
    result, held = [], 0
    for day in sorted(candidates):
        if held >= min(wanted, LESSON_LIMIT):
            break
        makeup = is_makeup_workday(day)
        if makeup and makeup_mode == "skip":
            result.append(PlannedDate(day, holiday="调休上班日", makeup=True))
            continue
        name = holiday_name(day) if course.skip_holidays else ""
        if name:
            result.append(PlannedDate(day, holiday=name))
            continue
        result.append(PlannedDate(day, makeup=makeup))
        held += 1
    return result


def _aware(day: datetime.date, time: datetime.time | None) -> datetime.datetime | None:
    if time is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, time), timezone.get_default_timezone())


def build_lessons(course, changes) -> list:
    """Unsaved Lesson rows for the course's rules with the given LessonChange objects applied."""
    from training.models import Lesson, LessonChange, LessonStatus

    by_date = {change.original_date: change for change in changes}
    rows = []
    for planned in planned_dates(course):
        day = planned.date
        if planned.holiday:
            note = f"{planned.holiday}停课" if not planned.makeup else "调休上班日停课"
            rows.append(Lesson(course=course, original_date=day, date=day, status=LessonStatus.HOLIDAY, note=note))
            continue
        start, end = _aware(day, course.start_time), _aware(day, course.end_time)
        change = by_date.get(day)
        added = planned.makeup and day.weekday() not in parse_weekdays(course.weekdays or "")
        status, new_day, note = LessonStatus.SCHEDULED, day, "调休上班日加课" if added else ""
        if change is not None and change.kind == LessonChange.Kind.CANCEL:
            status, note = LessonStatus.CANCELLED, change.note
        elif change is not None and change.kind == LessonChange.Kind.MOVE:
            new_day = change.new_date or day
            start = _aware(new_day, change.new_start_time or course.start_time)
            end = _aware(new_day, change.new_end_time or course.end_time)
            status, note = LessonStatus.MOVED, change.note
        rows.append(
            Lesson(course=course, original_date=day, date=new_day, start=start, end=end, status=status, note=note)
        )
    rows.sort(key=lambda row: (row.date, row.start or _aware(row.date, datetime.time(0))))
    number = 0
    for row in rows:
        if row.is_held:
            number += 1
            row.number = number
    return rows


def sync_lessons(course) -> int:
    """Replace the stored lessons of `course` with those its rules and changes give. Returns how many are held."""
    from training.models import Lesson, LessonChange

    changes = list(LessonChange.objects.filter(course_id=course.pk))
    rows = build_lessons(course, changes)
    with transaction.atomic():
        Lesson.objects.filter(course_id=course.pk).delete()
        Lesson.objects.bulk_create(rows)
    return sum(1 for row in rows if row.is_held)


def lessons_of(course) -> list:
    from training.models import Lesson

    return list(Lesson.objects.filter(course_id=course.pk).order_by("date", "start", "pk"))


def cn_day(day: datetime.date, year: bool = False) -> str:
    text = f"{day.month}月{day.day}日"
    return f"{day.year}年{text}" if year else text


def schedule_summary(course, lessons) -> str:
    """The one schedule line, generated from the stored lessons (no free text to contradict them).

    "每周六 09:00–10:30，2027年7月10日至8月14日，共 6 次课（国庆节等 1 天停课）"; "" when there are no lessons.
    """
    held = [lesson for lesson in lessons if lesson.is_held]
    if not held:
        return ""
    days = "、".join(WEEKDAY_NAMES[d].removeprefix("周") for d in parse_weekdays(course.weekdays or ""))
    parts = [f"每周{days}" if days else ""]
    if course.start_time:
        time = f"{course.start_time:%H:%M}" + (f"–{course.end_time:%H:%M}" if course.end_time else "")
        parts[0] = f"{parts[0]} {time}".strip()
    first, last = held[0].date, held[-1].date
    span = (
        cn_day(first, year=True)
        if first == last
        else f"{cn_day(first, year=True)}至{cn_day(last, year=last.year != first.year)}"
    )
    text = "，".join(p for p in (parts[0], span, f"共 {len(held)} 次课") if p)
    skipped = [lesson for lesson in lessons if lesson.status == "holiday"]
    cancelled = [lesson for lesson in lessons if lesson.status == "cancelled"]
    notes = []
    if skipped:
        notes.append(f"节假日停课 {len(skipped)} 次")
    if cancelled:
        notes.append(f"停课 {len(cancelled)} 次")
    if notes:
        text += "（" + "，".join(notes) + "）"
    return text


class LessonChangeError(Exception):
    """The change cannot be made: `message` in Chinese for the staff member."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def validate_change(course, original_date, kind, new_date=None, new_start_time=None, new_end_time=None) -> None:
    """Raise LessonChangeError (Chinese) unless `original_date` is a lesson of the rules and a move is sound."""
    from training.models import LessonChange

    planned = {p.date: p for p in planned_dates(course)}
    if original_date not in planned or planned[original_date].holiday:
        raise LessonChangeError(f"{cn_day(original_date, year=True)}不是本课程的上课日期，请从课程的上课日期中选择。")
    if kind == LessonChange.Kind.MOVE:
        if new_date is None:
            raise LessonChangeError("调课请填写改到的日期。")
        clash = new_date != original_date and new_date in planned and not planned[new_date].holiday
        if clash and not (new_start_time and course.start_time and new_start_time != course.start_time):
            raise LessonChangeError(f"{cn_day(new_date)}已有一次课，请选择其他日期或时间。")
        if new_start_time and new_end_time and new_end_time <= new_start_time:
            raise LessonChangeError("结束时间须晚于开始时间。")


def change_lesson(
    course_id: int,
    original_date: datetime.date,
    *,
    kind: str,
    new_date: datetime.date | None = None,
    new_start_time: datetime.time | None = None,
    new_end_time: datetime.time | None = None,
    note: str = "",
    user=None,
):
    """Cancel or move one lesson (the date the rules give), rebuild the rows, notify those enrolled.

    Changing a lesson that was already changed replaces that change. Notices go, after the commit, to
    every confirmed enrollment (one SMS each). Raises LessonChangeError for a date the rules do not
    give, a move without a new date, or a move onto another lesson's slot.
    """
    from training.models import CoursePage, LessonChange

    course = CoursePage.objects.select_related("venue").get(pk=course_id)
    validate_change(course, original_date, kind, new_date, new_start_time, new_end_time)
    with transaction.atomic():
        change, _ = LessonChange.objects.update_or_create(
            course=course,
            original_date=original_date,
            defaults={
                "kind": kind,
                "new_date": new_date if kind == LessonChange.Kind.MOVE else None,
                "new_start_time": new_start_time if kind == LessonChange.Kind.MOVE else None,
                "new_end_time": new_end_time if kind == LessonChange.Kind.MOVE else None,
                "note": note,
                "created_by": user,
            },
        )
        sync_lessons(course)
        _log_change(change, user)
        notify_enrolled(course, change)
    return change


def notify_enrolled(course, change) -> int:
    """Queue one notice per confirmed enrollment of the course about `change`. Returns how many."""
    from training.models import Enrollment, EnrollmentStatus, LessonChange
    from training.notifications import notify

    when = cn_day(change.original_date) + f"（{WEEKDAY_NAMES[change.original_date.weekday()]}）"
    if course.start_time:
        when += f" {course.start_time:%H:%M}"
    context = {"lesson_date": when, "note": f"（{change.note}）" if change.note else ""}
    if change.kind == LessonChange.Kind.MOVE:
        start = change.new_start_time or course.start_time
        context["new_date"] = (
            cn_day(change.new_date)
            + f"（{WEEKDAY_NAMES[change.new_date.weekday()]}）"
            + (f" {start:%H:%M}" if start else "")
        )
        event = "lesson_moved"
    else:
        event = "lesson_cancelled"
    enrollments = list(
        Enrollment.objects.filter(course_id=course.pk, status=EnrollmentStatus.CONFIRMED).select_related(
            "course", "course__venue"
        )
    )
    for enrollment in enrollments:
        notify(enrollment, event, context)  # outbox rows in this transaction
    return len(enrollments)


def _log_change(change, user):
    from wagtail.log_actions import log

    log(instance=change.course, action="training.lesson_change", user=user, data={"date": str(change.original_date)})


def lessons_calendar(course, lessons, url: str):
    """An iCalendar (RFC 5545) with one VEVENT per lesson; cancelled lessons are STATUS:CANCELLED.

    One VEVENT per date (not an RRULE) because holidays and changes make the series irregular. UIDs
    are built from the course id and the date the rules gave, so a moved lesson updates the same
    entry in the family's calendar.
    """
    from icalendar import Event

    from culture.services.ical import new_calendar

    calendar = new_calendar(f"{course.title} 上课时间", course.summary or "")
    stamp = timezone.now()
    location = ""
    if course.venue_id:
        location = "，".join(p for p in (str(course.venue), course.venue.address) if p)
    for lesson in lessons:
        if lesson.status == "holiday":
            continue
        vevent = Event()
        vevent.add("uid", f"course-{course.pk}-{lesson.original_date:%Y%m%d}@haining-ftu")
        vevent.add("dtstamp", stamp)
        title = f"{course.title}（第 {lesson.number} 次课）" if lesson.number else course.title
        vevent.add("summary", title)
        if lesson.start is not None:
            vevent.add("dtstart", timezone.localtime(lesson.start))
            vevent.add("dtend", timezone.localtime(lesson.end or lesson.start))
        else:
            vevent.add("dtstart", lesson.date)
        if location:
            vevent.add("location", location)
        description = [lesson.note] if lesson.note else []
        if lesson.status == "moved":
            description.insert(0, f"由{cn_day(lesson.original_date)}调至此时间")
        description.append(url)
        vevent.add("description", "\n".join(description))
        vevent.add("url", url)
        vevent.add("status", "CANCELLED" if lesson.status == "cancelled" else "CONFIRMED")
        calendar.add_component(vevent)
    calendar.add_missing_timezones()
    return calendar
