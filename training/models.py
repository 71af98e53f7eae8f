"""Course catalogue and enrollment (培训课程): terms, categories, teachers, courses, enrollments.

Rules about who may enroll and what happens to seats live in training.services.enrollment; the
models only hold state. A course's live seat counts live in `CourseSeats`, one row per course and
never a page field: Wagtail copies every page field into revisions and copies and writes it back on
publish, revert and copy, which would reset or duplicate the counts (see the README, Enrollment).
"""

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.search import index

from home.blocks import BodyBlock
from home.models import Category, SitePage
from training.services.privacy import mask_id_number, mask_name, mask_phone  # noqa: F401  (one set of rules)


class Season(models.TextChoices):
    SPRING = "spring", "春季"
    SUMMER = "summer", "暑期"
    AUTUMN = "autumn", "秋季"
    WINTER = "winter", "寒假"
    OTHER = "other", "全年"


class Audience(models.TextChoices):
    CHILDREN = "children", "少儿"
    ADULTS = "adults", "职工/成人"


class MakeupWorkdays(models.TextChoices):
    AS_WEEKDAY = "weekday", "照常按星期排课"
    SKIP = "skip", "停课"
    ADD = "add", "加课"


class Allocation(models.TextChoices):
    FCFS = "fcfs", "先到先得"
    LOTTERY = "lottery", "摇号"


WEEKDAY_CHOICES = [
    ("1", "周一"),
    ("2", "周二"),
    ("3", "周三"),
    ("4", "周四"),
    ("5", "周五"),
    ("6", "周六"),
    ("7", "周日"),
]


class Term(models.Model):
    name = models.CharField("学期名称", max_length=40, unique=True, help_text="例如：2027 年暑期")
    season = models.CharField("季节", max_length=10, choices=Season.choices, default=Season.SUMMER)
    starts_on = models.DateField("开课日期")
    ends_on = models.DateField("结课日期")
    enrollment_opens_at = models.DateTimeField("默认报名开始时间")
    enrollment_closes_at = models.DateTimeField("默认报名截止时间")
    max_courses_per_participant = models.PositiveSmallIntegerField(
        "每人限报课程数",
        default=2,
        validators=[MinValueValidator(1)],
        help_text="同一学员本学期最多可报（含候补）的课程数",
    )
    age_cutoff_date = models.DateField("年龄计算截止日", help_text="按此日期计算学员年龄，通常为开课日")

    panels = [
        FieldPanel("name"),
        FieldPanel("season"),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")], heading="上课时间"),
        FieldRowPanel([FieldPanel("enrollment_opens_at"), FieldPanel("enrollment_closes_at")], heading="默认报名时间"),
        FieldRowPanel([FieldPanel("max_courses_per_participant"), FieldPanel("age_cutoff_date")]),
    ]

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = "学期"
        verbose_name_plural = "学期"

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "结课日期不能早于开课日期。"
        if (
            self.enrollment_opens_at
            and self.enrollment_closes_at
            and self.enrollment_closes_at <= self.enrollment_opens_at
        ):
            errors["enrollment_closes_at"] = "默认报名截止时间必须晚于报名开始时间。"
        if errors:
            raise ValidationError(errors)


class CourseCategory(Category):
    class Meta(Category.Meta):
        verbose_name = "课程类别"
        verbose_name_plural = "课程类别"


class Teacher(index.Indexed, models.Model):
    name = models.CharField("姓名", max_length=30)
    title = models.CharField("职称/简介", max_length=80, blank=True)
    bio = models.TextField("介绍", blank=True)

    panels = [FieldPanel("name"), FieldPanel("title"), FieldPanel("bio")]
    search_fields = [index.SearchField("name"), index.SearchField("title"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = "教师"
        verbose_name_plural = "教师"

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）" if self.title else self.name


class CourseIndexPage(SitePage):
    intro = models.TextField("导语", blank=True)

    content_panels = SitePage.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["training.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = "课程目录"
        verbose_name_plural = "课程目录"

    def get_context(self, request, *args, **kwargs):
        from training.services.catalog import catalog_context

        context = super().get_context(request, *args, **kwargs)
        context.update(catalog_context(self, request))
        return context


class CoursePage(SitePage):
    term = models.ForeignKey(Term, verbose_name="学期", on_delete=models.PROTECT, related_name="courses")
    category = models.ForeignKey(CourseCategory, verbose_name="类别", on_delete=models.PROTECT, related_name="courses")
    teacher = models.ForeignKey(
        Teacher, verbose_name="教师", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    venue = models.ForeignKey(
        "culture.Venue", verbose_name="上课地点", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cover_image = models.ForeignKey(
        "home.SiteImage", verbose_name="封面图", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.CharField("一句话介绍", max_length=120, blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name="课程介绍")

    # The lesson rules (content); training.services.lessons expands them into Lesson rows on publish.
    weekdays = models.CharField(
        "上课星期", max_length=20, blank=True, help_text="1–7 表示周一至周日，多个用逗号分隔，例如 6,7 表示周六、周日"
    )
    start_time = models.TimeField("上课时间", null=True, blank=True)
    end_time = models.TimeField("下课时间", null=True, blank=True)
    first_lesson = models.DateField("首次课", null=True, blank=True, help_text="从这一天起按上课星期排课")
    last_lesson = models.DateField("结课日期", null=True, blank=True, help_text="与“课次数”二选一；都填时先到为止")
    lessons = models.PositiveSmallIntegerField(
        "课次数", null=True, blank=True, validators=[MaxValueValidator(200)], help_text="排满这么多次课为止"
    )
    skip_holidays = models.BooleanField(
        "法定节假日停课", default=True, help_text="国务院公布的放假日（含调休放假）不排课"
    )
    makeup_workdays = models.CharField(
        "调休上班日",
        max_length=10,
        choices=MakeupWorkdays.choices,
        default=MakeupWorkdays.AS_WEEKDAY,
        help_text="周末因调休改为上班日时：照常按星期排课、停课（如少儿周末班，学生需上学），或加课（工作日晚班）",
    )

    audience = models.CharField("招生对象", max_length=10, choices=Audience.choices, default=Audience.CHILDREN)
    age_min = models.PositiveSmallIntegerField("最小年龄", null=True, blank=True, validators=[MaxValueValidator(120)])
    age_max = models.PositiveSmallIntegerField("最大年龄", null=True, blank=True, validators=[MaxValueValidator(120)])
    eligibility = models.TextField("报名条件", blank=True)
    requires_employer = models.BooleanField("须填写工作单位", default=False, help_text="职工技能培训需填写工作单位")

    fee = models.DecimalField("费用（元）", max_digits=8, decimal_places=2, default=0, help_text="0 表示公益免费")
    payment_instructions = models.TextField(
        "缴费方式和地点",
        blank=True,
        help_text="例如：录取后凭报名编号到文化宫一楼服务台缴费，可用现金、微信或支付宝扫码；本站不提供在线支付",
    )
    payment_deadline = models.DateTimeField(
        "缴费截止时间",
        null=True,
        blank=True,
        help_text="留空则不限；逾期未缴费的名额自动让给候补第一位（截止后递补录取的有 3 天缴费时间）",
    )
    documents = models.TextField("报到时请携带", blank=True, help_text="每行一项，例如：学员户口簿或身份证原件")
    capacity = models.PositiveIntegerField("名额", default=20, validators=[MinValueValidator(1)])
    waitlist_size = models.PositiveIntegerField("候补名额", default=10)
    allocation = models.CharField("录取方式", max_length=10, choices=Allocation.choices, default=Allocation.FCFS)
    offer_hours = models.PositiveSmallIntegerField(
        "递补确认时限（小时）",
        default=0,
        help_text="0 表示有人取消时候补者自动录取；大于 0 则先发出递补通知，候补者须在时限内确认，逾期自动让给下一位",
    )
    opens_at = models.DateTimeField("报名开始", null=True, blank=True, help_text="留空则使用学期默认时间")
    closes_at = models.DateTimeField("报名截止", null=True, blank=True, help_text="留空则使用学期默认时间")

    content_panels = SitePage.content_panels + [
        MultiFieldPanel(
            [FieldPanel("term"), FieldPanel("category"), FieldPanel("teacher"), FieldPanel("venue")], heading="基本信息"
        ),
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("weekdays"),
                FieldRowPanel([FieldPanel("start_time"), FieldPanel("end_time")]),
                FieldRowPanel([FieldPanel("first_lesson"), FieldPanel("last_lesson"), FieldPanel("lessons")]),
                FieldRowPanel([FieldPanel("skip_holidays"), FieldPanel("makeup_workdays")]),
            ],
            heading="上课安排",
            help_text="上课日期按规则自动生成，发布后在课程页面列出；单次课的停课或调课请在“培训报名 › 调课停课”中操作",
        ),
        MultiFieldPanel(
            [
                FieldPanel("audience"),
                FieldRowPanel([FieldPanel("age_min"), FieldPanel("age_max")]),
                FieldPanel("eligibility"),
                FieldPanel("documents"),
                FieldPanel("requires_employer"),
            ],
            heading="招生对象",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("fee"), FieldPanel("capacity"), FieldPanel("waitlist_size")]),
                FieldPanel("payment_instructions"),
                FieldPanel("payment_deadline"),
                FieldPanel("offer_hours"),
                FieldPanel("allocation"),
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
            ],
            heading="报名设置",
        ),
    ]
    search_fields = SitePage.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("eligibility"),
        index.RelatedFields("category", [index.SearchField("name")]),
        index.RelatedFields("term", [index.SearchField("name")]),
        index.RelatedFields("teacher", [index.SearchField("name")]),
        index.FilterField("audience"),
    ]

    parent_page_types = ["training.CourseIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "课程"
        verbose_name_plural = "课程"

    @classmethod
    def serve_queryset(cls):
        """Routing and search results load the seat state with the page (training.services.seats)."""
        from training.services.seats import with_seat_state

        return with_seat_state(cls.objects.select_related("term", "category", "teacher", "venue", "cover_image"))

    @property
    def summary_text(self) -> str:
        return self.listing_summary or self.summary or self.search_description or ""

    @property
    def window_opens_at(self):
        return self.opens_at or self.term.enrollment_opens_at

    @property
    def window_closes_at(self):
        return self.closes_at or self.term.enrollment_closes_at

    # Live seat state, from training.services.seats (annotated by listings, else loaded once per instance).
    def _seat_state(self) -> dict:
        if not hasattr(self, "seat_status"):
            from training.services.seats import load_seat_state

            for name, value in load_seat_state(self.pk).items():
                setattr(self, name, value)
        return {"taken": self.seat_taken, "left": self.seat_left, "waitlisted": self.seat_waitlisted}

    @property
    def seats_taken(self) -> int:
        """Confirmed plus held by time-limited offers (training.services.seats)."""
        return self._seat_state()["taken"]

    @property
    def seats_left(self) -> int:
        return self._seat_state()["left"]

    @property
    def waitlisted(self) -> int:
        return self._seat_state()["waitlisted"]

    @property
    def is_free(self) -> bool:
        return not self.fee

    def clean(self):
        """Chinese messages for what the form cannot see alone: ages, window, times, and seats already given."""
        super().clean()
        errors = {}
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            errors["age_max"] = "最大年龄不能小于最小年龄。"
        term = Term.objects.filter(pk=self.term_id).first() if self.term_id else None
        opens = self.opens_at or (term.enrollment_opens_at if term else None)
        closes = self.closes_at or (term.enrollment_closes_at if term else None)
        if opens and closes and closes <= opens:
            errors["closes_at"] = "报名截止时间必须晚于报名开始时间（未填写的一项按学期默认时间计算）。"
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = "下课时间必须晚于上课时间。"
        if self.first_lesson and self.last_lesson and self.last_lesson < self.first_lesson:
            errors["last_lesson"] = "末次课不能早于首次课。"
        if self.pk:
            from training.services.enrollment import allocation_error, capacity_error

            if message := capacity_error(self.pk, self.capacity):
                errors["capacity"] = message
            if message := allocation_error(self.pk, self.allocation):
                errors["allocation"] = message
        if errors:
            raise ValidationError(errors)

    def weekday_labels(self) -> str:
        labels = dict(WEEKDAY_CHOICES)
        return "、".join(labels[d] for d in self.weekdays.replace("，", ",").split(",") if d.strip() in labels)

    def status(self, now=None) -> str:
        """upcoming / open / waitlist / full / closed (training.services.seats); `now` forces a fresh read."""
        if now is not None or not hasattr(self, "seat_status"):
            from training.services.seats import load_seat_state

            for name, value in load_seat_state(self.pk, now).items():
                setattr(self, name, value)
        return self.seat_status

    def get_context(self, request, *args, **kwargs):
        from training.forms import EnrollmentForm
        from training.services.eligibility import birth_range
        from training.services.lessons import lessons_of, schedule_summary

        context = super().get_context(request, *args, **kwargs)
        context.setdefault("form", EnrollmentForm(course=self))
        context["course_status"] = self.status()
        if self.allocation == Allocation.LOTTERY:
            from training.services.lottery import published_commitment

            context["lottery_commitment"] = published_commitment(self)
        context["lessons"] = lessons_of(self)
        context["schedule_summary"] = schedule_summary(self, context["lessons"])
        context["birth_earliest"], context["birth_latest"] = birth_range(self)
        return context

    def save(self, *args, **kwargs):
        result = super().save(*args, **kwargs)
        # Like events: a full save (publish, create, copy) rebuilds the lesson rows; a draft leaves them.
        if kwargs.get("update_fields") is None:
            from training.services.lessons import sync_lessons

            sync_lessons(self)
        return result

    def document_list(self) -> list[str]:
        return [line.strip() for line in self.documents.splitlines() if line.strip()]

    def serve(self, request, *args, **kwargs):
        if request.method == "POST":
            from training.views import enroll_from_course_page

            return enroll_from_course_page(request, self)
        return super().serve(request, *args, **kwargs)


class CourseSeats(models.Model):
    """The live seat state of one course, like a quota: the row the enrollment service locks.

    One row per course, created with the course (and by the data migration for older courses). It is
    not a page field, so no page revision, copy, revert, move or (scheduled) publish ever touches it; a
    copied course gets a new row at zero. Only training.services.enrollment and .lottery change it,
    under its row lock; `manage rebuild_seats` recounts it from the enrollments and reports drift.
    `taken` (confirmed + offered) is computed by the database, so SQL filters and Python read the
    same definition.
    """

    wagtail_reference_index_ignore = True  # a counter row, not a usage of the page (see Enrollment)

    course = models.OneToOneField(
        CoursePage, verbose_name="课程", on_delete=models.CASCADE, primary_key=True, related_name="seats"
    )
    confirmed = models.PositiveIntegerField("已录取", default=0)
    offered = models.PositiveIntegerField("递补待确认（占用名额）", default=0)
    waitlisted = models.PositiveIntegerField("候补人数", default=0)
    submitted = models.PositiveIntegerField("待摇号", default=0)
    taken = models.GeneratedField(
        expression=models.F("confirmed") + models.F("offered"),
        output_field=models.PositiveIntegerField("已占用名额"),
        db_persist=True,
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "课程名额状态"
        verbose_name_plural = "课程名额状态"

    def __str__(self) -> str:
        return f"{self.course_id}: {self.confirmed}+{self.offered}/{self.waitlisted}"


class EnrollmentStatus(models.TextChoices):
    SUBMITTED = "submitted", "已提交（待摇号）"
    CONFIRMED = "confirmed", "已录取"
    WAITLISTED = "waitlisted", "候补中"
    OFFERED = "offered", "候补递补待确认"
    CANCELLED = "cancelled", "已取消"
    REJECTED = "rejected", "未录取"


ACTIVE_STATUSES = (
    EnrollmentStatus.SUBMITTED,
    EnrollmentStatus.CONFIRMED,
    EnrollmentStatus.WAITLISTED,
    EnrollmentStatus.OFFERED,
)


class IdDocumentType(models.TextChoices):
    """证件类型 of an 18-character ID number (all follow GB 11643; see training.services.identity)."""

    RESIDENT = "resident", "居民身份证"
    HMT_RESIDENCE = "hmt_residence", "港澳台居民居住证"
    FOREIGN_PERMANENT = "foreign_permanent", "外国人永久居留身份证"


# Letters and digits that cannot be misread for each other (no 0/O, 1/I/L).
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


class Enrollment(models.Model):
    # Not in Wagtail's reference index: an enrollment is not a "usage" of its course page (the page's
    # usage listing would name every applicant), and indexing queued one task per enrollment and seat
    # change during the opening rush. Deleting a course with enrollments is refused anyway (PROTECT).
    wagtail_reference_index_ignore = True

    reference = models.CharField("报名编号", max_length=12, unique=True, default=new_reference, editable=False)
    course = models.ForeignKey(CoursePage, verbose_name="课程", on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField("状态", max_length=12, choices=EnrollmentStatus.choices, db_index=True)
    waitlist_position = models.PositiveIntegerField("候补序号", null=True, blank=True)

    applicant_name = models.CharField("报名人（监护人）", max_length=30)
    phone = models.CharField("手机号码", max_length=20, db_index=True)
    email = models.EmailField("电子邮箱", blank=True, help_text="选填，用于接收报名通知邮件")
    participant_name = models.CharField("学员姓名", max_length=30)
    id_number = models.CharField("学员身份证号", max_length=18)
    document_type = models.CharField(
        "证件类型", max_length=20, choices=IdDocumentType.choices, default=IdDocumentType.RESIDENT
    )
    birth_date = models.DateField("出生日期")
    gender = models.CharField("性别", max_length=1, choices=[("M", "男"), ("F", "女")])
    employer = models.CharField("工作单位", max_length=80, blank=True)
    union_member = models.BooleanField("工会会员", default=False)
    consent_at = models.DateTimeField("同意隐私告知时间")
    source = models.CharField(
        "报名方式",
        max_length=10,
        default="web",
        choices=[
            ("web", "网上（网站）"),
            ("api", "网上（小程序/接口）"),
            ("counter", "现场"),
            ("phone", "电话"),
            ("admin", "后台"),
            ("shell", "其他"),
        ],
    )

    created_at = models.DateTimeField("提交时间", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    cancelled_by = models.CharField(
        "取消方",
        max_length=10,
        blank=True,
        choices=[
            ("applicant", "本人"),
            ("staff", "工作人员"),
            ("system", "系统（递补逾期）"),
            ("unpaid", "系统（逾期未缴费）"),
        ],
    )
    paid_at = models.DateTimeField("缴费时间", null=True, blank=True, help_text="工作人员标记“已缴费”的时间")
    payment_due_at = models.DateTimeField("缴费截止", null=True, blank=True)
    offer_expires_at = models.DateTimeField("递补确认截止", null=True, blank=True)
    reminded_at = models.DateTimeField("开课提醒发送时间", null=True, blank=True)
    anonymised_at = models.DateTimeField("个人信息清除时间", null=True, blank=True)

    class Meta:
        verbose_name = "报名"
        verbose_name_plural = "报名"
        ordering = ["-created_at"]
        permissions = [("view_personal_data", "查看完整身份证号和手机号")]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "id_number"],
                condition=Q(status__in=[s.value for s in ACTIVE_STATUSES]),
                name="one_active_enrollment_per_participant_and_course",
            )
        ]
        indexes = [
            models.Index(fields=["course", "status", "waitlist_position"]),
            # The per-term limit: a participant's active enrollments (joined to their courses' term).
            models.Index(
                fields=["id_number", "course"],
                condition=Q(status__in=[s.value for s in ACTIVE_STATUSES]),
                name="enrollment_active_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {mask_name(self.participant_name)}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_participant(self) -> str:
        return mask_name(self.participant_name)

    @property
    def masked_applicant(self) -> str:
        return mask_name(self.applicant_name)


class LotterySeed(models.Model):
    """The secret seed of a lottery course's draw, chosen by the system before anyone applies (commit-reveal).

    Created with the course (when it is saved in lottery mode) from `secrets.token_hex(16)`; the course
    page publishes `seed_sha256` from when the window opens, the draw uses `seed` and the result page
    reveals it, so anyone can check that the seed was fixed before the entrants were known. Not a page
    field: never in a revision or a copy. Nobody types or picks it; the admin never shows it before the draw.
    """

    course = models.OneToOneField(
        CoursePage, verbose_name="课程", on_delete=models.CASCADE, primary_key=True, related_name="lottery_seed"
    )
    seed = models.CharField("随机种子", max_length=64)
    seed_sha256 = models.CharField("随机种子的 SHA-256", max_length=64)
    committed_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = "摇号种子"
        verbose_name_plural = "摇号种子"

    def __str__(self) -> str:
        return f"{self.course_id}: {self.seed_sha256[:12]}…"


class LotteryDraw(models.Model):
    """The record of one course's draw (摇号): enough for anyone to re-run it and get the same order.

    `entrants` is the frozen list, one entry per application in submission order:
    {"no": 1, "reference": "...", "name": "张*明", "phone": "138****1234"}. The order is defined by
    SHA-256 of "<seed>:<no>" (hex, ascending); `entrants_hash` is SHA-256 of the published lines
    "<no>|<name>|<phone>" joined by newlines, so the public list can be checked against the record.
    """

    course = models.OneToOneField(
        CoursePage, verbose_name="课程", on_delete=models.PROTECT, related_name="lottery_draw"
    )
    seed = models.CharField("随机种子", max_length=64)
    seed_sha256 = models.CharField("事先公布的种子 SHA-256", max_length=64, blank=True)
    seed_committed_at = models.DateTimeField("种子生成时间", null=True, blank=True)
    entrants = models.JSONField("参与摇号名单", default=list)
    entrants_hash = models.CharField("名单哈希（SHA-256）", max_length=64)
    order = models.JSONField("摇号顺序（序号）", default=list)
    seats = models.PositiveIntegerField("可录取名额")
    waitlist_seats = models.PositiveIntegerField("候补名额")
    drawn_at = models.DateTimeField("摇号时间")
    drawn_by = models.ForeignKey(
        "users.User", verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "摇号记录"
        verbose_name_plural = "摇号记录"

    def __str__(self) -> str:
        return f"{self.course} 摇号"


class LessonStatus(models.TextChoices):
    SCHEDULED = "scheduled", "正常上课"
    HOLIDAY = "holiday", "节假日停课"
    CANCELLED = "cancelled", "停课"
    MOVED = "moved", "已调课"


class Lesson(models.Model):
    """One lesson date of a course, expanded from the page's rules and the staff's changes.

    Rebuilt on every full save of the course and on every LessonChange (training.services.lessons); never
    edited by hand. A skipped holiday is kept as a row (status holiday, no number) so the page can say so.
    A moved lesson is one row at its new date with `original_date` set to the date the rules gave.
    """

    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="lesson_rows")
    number = models.PositiveSmallIntegerField("第几次课", null=True, blank=True)
    original_date = models.DateField("规则日期")
    date = models.DateField("上课日期")
    start = models.DateTimeField("开始", null=True, blank=True)
    end = models.DateTimeField("结束", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=LessonStatus.choices, default=LessonStatus.SCHEDULED)
    note = models.CharField("说明", max_length=120, blank=True)

    class Meta:
        ordering = ["date", "start", "pk"]
        indexes = [models.Index(fields=["course", "date"], name="lesson_course_date")]
        verbose_name = "上课日期"
        verbose_name_plural = "上课日期"

    def __str__(self) -> str:
        return f"{self.course_id} {self.date:%Y-%m-%d}"

    @property
    def is_held(self) -> bool:
        return self.status in (LessonStatus.SCHEDULED, LessonStatus.MOVED)


class LessonChange(models.Model):
    """Staff cancel or move one lesson (live state, not page content): notices go to those enrolled."""

    class Kind(models.TextChoices):
        CANCEL = "cancel", "停课"
        MOVE = "move", "调课（改到其他日期或时间）"

    course = models.ForeignKey(CoursePage, verbose_name="课程", on_delete=models.CASCADE, related_name="lesson_changes")
    original_date = models.DateField("原上课日期")
    kind = models.CharField("调整方式", max_length=10, choices=Kind.choices, default=Kind.MOVE)
    new_date = models.DateField("改到日期", null=True, blank=True)
    new_start_time = models.TimeField("改到开始时间", null=True, blank=True, help_text="留空则与原时间相同")
    new_end_time = models.TimeField("改到结束时间", null=True, blank=True, help_text="留空则与原时间相同")
    note = models.CharField("原因/说明", max_length=120, blank=True, help_text="会写进给学员的短信，例如：教师外出比赛")
    created_at = models.DateTimeField("操作时间", auto_now_add=True)
    created_by = models.ForeignKey(
        "users.User", verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "调课停课"
        verbose_name_plural = "调课停课"
        constraints = [
            models.UniqueConstraint(fields=["course", "original_date"], name="one_change_per_lesson"),
        ]

    def __str__(self) -> str:
        return f"{self.course} {self.original_date:%m月%d日} {self.get_kind_display()}"
