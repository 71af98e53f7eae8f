"""Event calendar (文化活动): venues, categories, the calendar page, events and their stored occurrences.

An event's dates are edited as rules (`EventDate`: a one-off slot, a multi-day run or a repeating
series) plus changes to single dates (`EventDateChange`: skipped, cancelled, postponed, moved, full).
On every full save of a live event the rules are expanded with dateutil's rrule into `EventOccurrence`
rows (see culture.services.occurrences), so calendar views query dates by range instead of expanding
every series on every request.
"""

import datetime
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max, Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.functional import cached_property
from modelcluster.fields import ParentalKey
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from home.blocks import BodyBlock
from home.models import Category, SitePage

WEEKDAY_CHOICES = [
    ("0", "周一"),
    ("1", "周二"),
    ("2", "周三"),
    ("3", "周四"),
    ("4", "周五"),
    ("5", "周六"),
    ("6", "周日"),
]
WEEKDAY_NAMES = dict(WEEKDAY_CHOICES)


class Venue(index.Indexed, models.Model):
    """A place where events and courses happen (shared with the training app)."""

    name = models.CharField("名称", max_length=80)
    address = models.CharField("地址", max_length=160, blank=True)
    room = models.CharField("房间/楼层", max_length=60, blank=True)
    capacity = models.PositiveIntegerField("容纳人数", null=True, blank=True)
    map_url = models.URLField("地图链接", blank=True, help_text="高德或百度地图的地址链接")
    accessibility = models.TextField("无障碍说明", blank=True)

    panels = [
        FieldPanel("name"),
        MultiFieldPanel([FieldPanel("address"), FieldPanel("room"), FieldPanel("map_url")], heading="位置"),
        FieldPanel("capacity"),
        FieldPanel("accessibility"),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("address"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = "场馆"
        verbose_name_plural = "场馆"

    def __str__(self) -> str:
        return f"{self.name} {self.room}".strip()


class EventCategory(Category):
    slug = models.SlugField(
        "网址标识", max_length=40, unique=True, help_text="英文字母、数字或连字符，用于筛选和订阅地址"
    )

    class Meta(Category.Meta):
        verbose_name = "活动类别"
        verbose_name_plural = "活动类别"


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", "如期举行"
    CANCELLED = "cancelled", "已取消"
    POSTPONED = "postponed", "延期举行"
    SOLD_OUT = "sold_out", "已满座"


class OccurrenceStatus(models.TextChoices):
    SCHEDULED = "scheduled", "如期举行"
    CANCELLED = "cancelled", "已取消"
    POSTPONED = "postponed", "延期"
    MOVED = "moved", "已改期"
    SOLD_OUT = "sold_out", "已满座"


STATUS_BADGES = {
    "scheduled": "open",
    "sold_out": "full",
    "postponed": "soon",
    "moved": "soon",
    "cancelled": "cancelled",
}


class WeekdaysFormField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.pop("max_length", None)
        kwargs.pop("empty_value", None)
        super().__init__(choices=WEEKDAY_CHOICES, **kwargs)

    def prepare_value(self, value):
        return list(value) if isinstance(value, str) else value

    def clean(self, value):
        return "".join(sorted(set(super().clean(value))))


class WeekdaysField(models.CharField):
    """Weekdays as a string of digits, 0 = Monday ("05" is Monday and Saturday), ticked as checkboxes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 7)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return WeekdaysFormField(required=not self.blank, label=self.verbose_name, help_text=self.help_text)


class EventIndexPage(RoutablePageMixin, SitePage):
    """文化活动: upcoming list, month calendar, week and day agendas, past events and iCalendar feeds."""

    intro = models.TextField("导语", blank=True)

    content_panels = SitePage.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["culture.EventPage"]
    max_count = 1

    class Meta:
        verbose_name = "活动日历"
        verbose_name_plural = "活动日历"

    @path("")
    def upcoming_view(self, request):
        from . import views

        return views.upcoming(request, self)

    @path("<int:year>/<int:month>/", name="month")
    def month_view(self, request, year, month):
        from . import views

        return views.month(request, self, year, month)

    @path("<int:year>/<int:month>/<int:day>/", name="day")
    def day_view(self, request, year, month, day):
        from . import views

        return views.day(request, self, year, month, day)

    @path("week/<int:year>/<int:month>/<int:day>/", name="week")
    def week_view(self, request, year, month, day):
        from . import views

        return views.week(request, self, year, month, day)

    @path("today/", name="today")
    def today_view(self, request):
        from . import views

        return views.today(request, self)

    @path("past/", name="past")
    def past_view(self, request):
        from . import views

        return views.past(request, self)

    @path("ical/", name="ical")
    def ical_feed(self, request):
        from . import views

        return views.calendar_feed(request, self)

    @path("ical/<slug:category>/", name="ical_category")
    def ical_category_feed(self, request, category):
        from . import views

        return views.calendar_feed(request, self, category)


class EventPage(RoutablePageMixin, SitePage):
    category = models.ForeignKey(
        EventCategory, verbose_name="类别", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    venue = models.ForeignKey(
        Venue, verbose_name="场馆", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organiser = models.CharField("主办/承办", max_length=100, default="海宁市工人文化宫", blank=True)
    cover_image = models.ForeignKey(
        "home.SiteImage", verbose_name="封面图", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.TextField("简介", blank=True, help_text="列表、搜索结果和分享中显示的一两句话")
    body = StreamField(BodyBlock(), blank=True, verbose_name="详细介绍")
    price = models.CharField("票价", max_length=60, blank=True, help_text="留空表示免费")
    audience = models.CharField(
        "适合对象", max_length=60, blank=True, help_text="例如：全市职工、亲子家庭、6 岁以上儿童"
    )
    booking_note = models.CharField(
        "预约说明", max_length=200, blank=True, help_text="例如：凭票入场，票在文化宫一楼服务台领取"
    )
    booking_url = models.URLField("预约链接", blank=True)
    status = models.CharField("活动状态", max_length=12, choices=EventStatus.choices, default=EventStatus.SCHEDULED)
    status_note = models.CharField(
        "状态说明", max_length=200, blank=True, help_text="取消或延期时告诉观众原因和后续安排"
    )

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("organiser"),
        index.SearchField("audience"),
        index.RelatedFields("category", [index.SearchField("name")]),
        index.RelatedFields("venue", [index.SearchField("name")]),
        index.FilterField("status"),
    ]

    content_panels = SitePage.content_panels + [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("category"), FieldPanel("venue")]),
                FieldPanel("organiser"),
                FieldPanel("audience"),
            ],
            heading="基本信息",
        ),
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        InlinePanel(
            "dates",
            label="时间",
            heading="活动时间",
            min_num=1,
            help_text="一次性活动填一行；每周固定时间的系列活动选择“重复”并填写截止日期。",
        ),
        InlinePanel(
            "date_changes",
            label="变更",
            heading="单场变更（取消、改期、延期、满座）",
            help_text="只影响某一天的场次，系列中的其他日期不变。",
        ),
        MultiFieldPanel(
            [FieldPanel("price"), FieldPanel("booking_note"), FieldPanel("booking_url")], heading="票务与预约"
        ),
        MultiFieldPanel([FieldPanel("status"), FieldPanel("status_note")], heading="整场活动状态"),
        FieldPanel("body"),
    ]

    parent_page_types = ["culture.EventIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "活动"
        verbose_name_plural = "活动"

    def save(self, *args, **kwargs):
        result = super().save(*args, **kwargs)
        # Child rows (dates, changes) are committed only by a full save: publishing, creating, copying.
        # Saving a draft revision updates named fields only and leaves the live dates alone.
        if kwargs.get("update_fields") is None:
            from .services.occurrences import sync_occurrences

            sync_occurrences(self)
        return result

    @classmethod
    def serve_queryset(cls):
        return with_next_start(cls.objects.select_related("cover_image", "category", "venue"))

    @property
    def summary_text(self) -> str:
        return self.listing_summary or self.summary or self.search_description or ""

    @property
    def og_image(self):
        return self.social_image or self.cover_image

    @property
    def is_free(self) -> bool:
        return not self.price.strip() or self.price.strip() in {"0", "免费"}

    @cached_property
    def upcoming_occurrences(self) -> list:
        return list(
            self.occurrences.filter(end__gte=timezone.now()).select_related(None).order_by("start")[:MAX_LISTED_AHEAD]
        )

    def get_context(self, request, *args, **kwargs):
        from .services.structured_data import event_json_ld

        context = super().get_context(request, *args, **kwargs)
        context["occurrences"] = self.upcoming_occurrences
        context.update(headline_dates(self.upcoming_occurrences))
        context["json_ld"] = event_json_ld(self, self.upcoming_occurrences, request)
        return context

    @path("")
    def event_view(self, request):
        return self.render(request)

    @path("ics/", name="ics")
    def ics_view(self, request):
        from . import views

        return views.event_ics(request, self)


MAX_LISTED_AHEAD = 60
HELD_STATUSES = (OccurrenceStatus.SCHEDULED, OccurrenceStatus.SOLD_OUT)


def headline_dates(upcoming: list) -> dict:
    """The date to put in an event's headline: the next one that takes place, never a dropped,
    cancelled, postponed or moved one. Also `moved_to` when the nearest original date was moved
    (so the headline can say "已改期至 …") and `later_count`, the held dates after the headline.
    """
    held = [o for o in upcoming if o.effective_status in HELD_STATUSES]
    headline = held[0] if held else None
    moved_to = None
    first = upcoming[0] if upcoming else None
    if first is not None and first.effective_status == OccurrenceStatus.MOVED:
        moved_to = next((o for o in upcoming if o.original_start == first.start), None)
        if moved_to is not None:
            moved_to.moved_from = first
    return {
        "next_occurrence": headline,
        "moved_to": moved_to,
        "later_count": max(len(held) - 1, 0),
        "nothing_held": bool(upcoming) and headline is None,
    }


def with_next_start(queryset):
    """Annotate each event with the start of its next occurrence that has not ended (one subquery)."""
    upcoming = EventOccurrence.objects.filter(
        event_id=OuterRef("pk"), end__gte=timezone.now(), status__in=HELD_STATUSES
    ).order_by("start")
    return queryset.annotate(next_start=Subquery(upcoming.values("start")[:1]))


def with_date_span(queryset):
    return queryset.annotate(
        first_start=Min("occurrences__start"),
        last_end=Max("occurrences__end"),
        first_day=Min("occurrences__date"),
        last_day=Max("occurrences__end_date"),
    )


class EventDate(Orderable):
    """One dated slot, a multi-day run, or a repeating series of an event."""

    class Repeat(models.TextChoices):
        NONE = "", "不重复"
        DAILY = "daily", "每天"
        WEEKLY = "weekly", "每周"
        MONTHLY = "monthly", "每月（同一日期）"

    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="dates")
    uid = models.UUIDField(default=uuid.uuid4, editable=False, help_text="iCalendar UID; stable across edits")
    start_date = models.DateField("日期（首场）")
    start_time = models.TimeField("开始时间", null=True, blank=True, help_text="留空表示全天活动")
    end_time = models.TimeField("结束时间", null=True, blank=True)
    end_date = models.DateField(
        "结束日期", null=True, blank=True, help_text="跨越多天的活动（如展览）填写最后一天；重复活动不填"
    )
    repeat = models.CharField("重复", max_length=10, choices=Repeat.choices, blank=True, default="")
    weekdays = WeekdaysField("每周的哪几天", blank=True, help_text="每周重复时选择；不选则按首场日期的星期")
    interval = models.PositiveSmallIntegerField("间隔", default=1, help_text="1 表示每周（每天、每月），2 表示隔一周……")
    repeat_until = models.DateField("重复截止日期", null=True, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("start_time"), FieldPanel("end_time")]),
        FieldPanel("end_date"),
        FieldRowPanel([FieldPanel("repeat"), FieldPanel("interval"), FieldPanel("repeat_until")]),
        FieldPanel("weekdays"),
    ]

    MAX_SERIES_DAYS = 750

    class Meta(Orderable.Meta):
        verbose_name = "活动时间"
        verbose_name_plural = "活动时间"

    def clean(self):
        errors = {}
        if self.end_time and not self.start_time:
            errors["start_time"] = "填写了结束时间，请同时填写开始时间。"
        if self.repeat:
            if self.end_date:
                errors["end_date"] = "重复活动不填结束日期，请填写“重复截止日期”。"
            if not self.repeat_until:
                errors["repeat_until"] = "重复活动请填写截止日期。"
            elif self.start_date and self.repeat_until < self.start_date:
                errors["repeat_until"] = "截止日期不能早于首场日期。"
            elif self.start_date and (self.repeat_until - self.start_date).days > self.MAX_SERIES_DAYS:
                errors["repeat_until"] = "系列活动最长两年，请分段填写。"
            if self.interval < 1:
                errors["interval"] = "间隔至少为 1。"
        else:
            if self.weekdays:
                errors["weekdays"] = "只有每周重复的活动需要选择星期。"
            if self.end_date and self.start_date and self.end_date < self.start_date:
                errors["end_date"] = "结束日期不能早于开始日期。"
        single_day = not self.end_date or self.end_date == self.start_date
        if single_day and self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = "结束时间须晚于开始时间。"
        if self.weekdays and self.repeat != self.Repeat.WEEKLY:
            errors.setdefault("weekdays", "只有每周重复的活动需要选择星期。")
        if errors:
            raise ValidationError(errors)

    @property
    def all_day(self) -> bool:
        return self.start_time is None

    def describe(self) -> str:
        """The rule in words, e.g. "每周六 19:00–21:00，至 2027年3月27日"."""
        times = ""
        if self.start_time:
            times = f" {self.start_time:%H:%M}" + (f"–{self.end_time:%H:%M}" if self.end_time else "")
        if not self.repeat:
            text = f"{self.start_date.month}月{self.start_date.day}日"
            if self.end_date and self.end_date != self.start_date:
                text += f"至{self.end_date.month}月{self.end_date.day}日"
            return text + times
        every = {"daily": "天", "weekly": "周", "monthly": "月"}[self.repeat]
        prefix = f"每{every}" if self.interval == 1 else f"每隔{self.interval - 1}{every}"
        if self.repeat == self.Repeat.WEEKLY:
            days = self.weekdays or str(self.start_date.weekday())
            prefix += "、".join(WEEKDAY_NAMES[d][1:] for d in days)
        until = self.repeat_until
        return f"{prefix}{times}，{self.start_date.month}月{self.start_date.day}日起至{until.month}月{until.day}日"


class EventDateChange(Orderable):
    """A change to one date of an event: the rest of a series stays as it is."""

    class Kind(models.TextChoices):
        SKIP = "skip", "不举办（不显示）"
        CANCELLED = "cancelled", "取消"
        POSTPONED = "postponed", "延期（新时间待定）"
        MOVED = "moved", "改期"
        SOLD_OUT = "sold_out", "满座"

    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="date_changes")
    date = models.DateField("原定日期")
    kind = models.CharField("变更", max_length=10, choices=Kind.choices, default=Kind.CANCELLED)
    new_date = models.DateField("改到日期", null=True, blank=True)
    new_start_time = models.TimeField("新开始时间", null=True, blank=True, help_text="留空则沿用原时间")
    new_end_time = models.TimeField("新结束时间", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True, help_text="例如：因天气原因改期，原票有效")

    panels = [
        FieldRowPanel([FieldPanel("date"), FieldPanel("kind")]),
        FieldRowPanel([FieldPanel("new_date"), FieldPanel("new_start_time"), FieldPanel("new_end_time")]),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = "单场变更"
        verbose_name_plural = "单场变更"

    def clean(self):
        if self.kind == self.Kind.MOVED and not self.new_date:
            raise ValidationError({"new_date": "改期请填写新的日期。"})
        if self.kind != self.Kind.MOVED and (self.new_date or self.new_start_time or self.new_end_time):
            raise ValidationError({"kind": "只有“改期”需要填写新的日期和时间。"})
        if self.new_start_time and self.new_end_time and self.new_end_time <= self.new_start_time:
            raise ValidationError({"new_end_time": "结束时间须晚于开始时间。"})


class EventPageForm(WagtailAdminPageForm):
    """Cross-checks the inline rows: every date change must name a date the event actually has."""

    def clean(self):
        cleaned = super().clean()
        from .services.occurrences import expand_rule

        date_forms = [
            f
            for f in self.formsets["dates"].forms
            if f.is_valid() and f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        scheduled = set()
        for form in date_forms:
            rule = form.instance
            try:
                scheduled.update(start.date() for start in expand_rule(rule))
            except (TypeError, ValueError):
                continue
        seen = set()
        for form in self.formsets["date_changes"].forms:
            if not (form.is_valid() and form.cleaned_data) or form.cleaned_data.get("DELETE"):
                continue
            day = form.cleaned_data.get("date")
            if day is None:
                continue
            if day in seen:
                form.add_error("date", "同一天只能有一条变更。")
            seen.add(day)
            if scheduled and day not in scheduled:
                form.add_error("date", f"{day.month}月{day.day}日没有安排场次，请核对原定日期。")
        return cleaned


EventPage.base_form_class = EventPageForm


class EventOccurrence(models.Model):
    """One dated showing of an event, expanded from its rules; rebuilt whenever the event is saved.

    `date` and `end_date` are the local (Asia/Shanghai) first and last day, stored so views select by
    day without converting time zones in SQL: an event at 01:30 local time is on its local day.
    """

    event = models.ForeignKey(EventPage, on_delete=models.CASCADE, related_name="occurrences")
    rule_uid = models.UUIDField()
    start = models.DateTimeField()
    end = models.DateTimeField()
    all_day = models.BooleanField(default=False)
    date = models.DateField()
    end_date = models.DateField()
    original_start = models.DateTimeField(null=True, blank=True, help_text="moved occurrences: where it was")
    status = models.CharField(max_length=12, choices=OccurrenceStatus.choices, default=OccurrenceStatus.SCHEDULED)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start", "pk"]
        indexes = [
            models.Index(fields=["date", "end_date"], name="occurrence_day_range"),
            models.Index(fields=["end"], name="occurrence_end"),
            models.Index(fields=["event", "start"], name="occurrence_event_start"),
        ]
        verbose_name = "场次"
        verbose_name_plural = "场次"

    def __str__(self) -> str:
        return f"{self.event_id} {self.start:%Y-%m-%d %H:%M}"

    @property
    def effective_status(self) -> str:
        """The event's own status overrides a scheduled date (a cancelled event cancels every date)."""
        event_status = self.event.status
        if event_status != EventStatus.SCHEDULED and self.status in (OccurrenceStatus.SCHEDULED, ""):
            return event_status
        return self.status

    @property
    def status_label(self) -> str:
        return OccurrenceStatus(self.effective_status).label

    @property
    def badge(self) -> str:
        return STATUS_BADGES.get(self.effective_status, "open")

    @property
    def is_cancelled(self) -> bool:
        return self.effective_status in (OccurrenceStatus.CANCELLED, OccurrenceStatus.MOVED)

    @property
    def local_start(self) -> datetime.datetime:
        return timezone.localtime(self.start)

    @property
    def local_end(self) -> datetime.datetime:
        return timezone.localtime(self.end)

    @property
    def multi_day(self) -> bool:
        return self.end_date != self.date

    def time_label(self) -> str:
        """How the time reads in lists: "19:00–21:00", "全天", or "12月1日–12月31日"."""
        if self.multi_day:
            return f"{self.date.month}月{self.date.day}日–{self.end_date.month}月{self.end_date.day}日"
        if self.all_day:
            return "全天"
        start, end = self.local_start, self.local_end
        return f"{start:%H:%M}–{end:%H:%M}" if end > start else f"{start:%H:%M}"
