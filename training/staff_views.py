"""Staff pages of 报名管理 beyond the list: counter/telephone enrollment, the enrollment page, the printed
confirmation slip and the class sign-in sheet (签到表).

Views are thin: input is validated by forms (the public form's rules), every change goes through
training.services.enrollment (which locks the course row and writes the Wagtail log entry with the
user who did it), and personal data is shown in full only with `training.view_personal_data`.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.views.generic import InspectView
from wagtail.log_actions import registry as log_action_registry
from wagtail.models import ModelLogEntry

from notices.services import notices_for
from training.admin_forms import CounterEnrollmentForm
from training.admin_views import can_change_enrollments, can_see_personal_data
from training.models import CoursePage, Enrollment, EnrollmentStatus
from training.services import privacy
from training.services.enrollment import EnrollmentError, age_on, enroll
from training.services.lessons import cn_day, lessons_of, schedule_summary

ADD_PERMISSION = "training.add_enrollment"


def shown(enrollment: Enrollment, personal: bool) -> dict:
    """The personal fields as this user may see them (training.services.privacy masks them without the
    permission: the birth date as its year only)."""
    fields = {
        "participant": "participant_name",
        "applicant": "applicant_name",
        "phone": "phone",
        "id_number": "id_number",
        "email": "email",
        "birth_date": "birth_date",
    }
    if personal:
        return {key: getattr(enrollment, field) for key, field in fields.items()}
    return {key: privacy.mask(field, getattr(enrollment, field)) for key, field in fields.items()}


def birth_display(value, age) -> str:
    """2015-03-07（按年龄计算日 11 岁）in full; the year alone when masked (a masked value is a string)."""
    if not value:
        return "未填写"
    if isinstance(value, str):
        return f"{value} 年（需查看个人信息权限才显示完整日期）"
    return f"{value:%Y-%m-%d}" + (f"（按年龄计算日 {age} 岁）" if age is not None else "")


def local(value, fmt="%Y-%m-%d %H:%M:%S") -> str:
    return timezone.localtime(value).strftime(fmt) if value else ""


# --- counter / telephone enrollment -------------------------------------------------------------------


def counter_enrollment(request):
    """报名管理 → 现场/电话报名: the public form's fields and rules, entered by staff, through the service."""
    if not request.user.has_perm(ADD_PERMISSION):
        raise PermissionDenied
    initial = {}
    if request.GET.get("course", "").isdigit():
        initial["course"] = int(request.GET["course"])
    form = CounterEnrollmentForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                outcome = enroll(
                    form.cleaned_data["course"],
                    form.applicant(),
                    source=form.cleaned_data["source"],
                    user=request.user,
                )
            except EnrollmentError as error:
                form.add_error(None, error.message)
            else:
                enrollment = outcome.enrollment
                if outcome.created:
                    messages.success(
                        request,
                        f"报名成功：{enrollment.reference}，{enrollment.get_status_display()}"
                        + (f"（候补第 {enrollment.waitlist_position} 位）" if enrollment.waitlist_position else "")
                        + "。可打印报名回执交给报名人。",
                    )
                else:
                    messages.warning(request, "该学员已报名过本课程，以下是原有的报名。")
                return redirect("enrollments:inspect", enrollment.pk)
    return TemplateResponse(
        request,
        "training/admin/counter_enrollment.html",
        {"form": form, "index_url": reverse("enrollments:index")},
        status=status,
    )


# --- the enrollment page ----------------------------------------------------------------------------


class EnrollmentDetailView(InspectView):
    """One enrollment for staff: every field, the status history from the log, notices, and the actions."""

    template_name = "training/admin/enrollment_detail.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Enrollment.objects.select_related("course", "course__term", "course__venue"), pk=self.pk
        )

    @cached_property
    def personal(self) -> bool:
        return can_see_personal_data(self.request.user)

    def get_page_title(self):
        return "报名详情"

    def get_page_subtitle(self):
        return f"{self.object.reference} {shown(self.object, self.personal)['participant']}"

    def get_fields(self):
        return []  # the template lays the fields out itself

    @cached_property
    def header_more_buttons(self):
        return []

    def details(self) -> list[tuple[str, str]]:
        e = self.object
        data = shown(e, self.personal)
        course = e.course
        age = age_on(e.birth_date, course.term.age_cutoff_date) if e.birth_date and self.personal else None
        status = e.get_status_display()
        if e.waitlist_position:
            status += f"（候补第 {e.waitlist_position} 位）"
        if e.offer_expires_at:
            status += f"，请于 {local(e.offer_expires_at, '%Y-%m-%d %H:%M')} 前确认"
        rows = [
            ("报名编号", e.reference),
            ("课程", course.title),
            ("学期", course.term.name),
            ("状态", status),
            ("学员姓名", data["participant"]),
            ("性别", e.get_gender_display()),
            ("出生日期", birth_display(data["birth_date"], age)),
            ("证件类型", e.get_document_type_display()),
            ("证件号码", data["id_number"]),
            ("报名人", data["applicant"]),
            ("手机号码", data["phone"]),
            ("电子邮箱", data["email"] or "未填写"),
            ("工作单位", e.employer or "未填写"),
            ("工会会员", "是" if e.union_member else "否"),
            ("报名方式", e.get_source_display()),
            ("提交时间", local(e.created_at)),
            ("同意隐私告知时间", local(e.consent_at)),
        ]
        if e.cancelled_at:
            rows.append(("取消时间", f"{local(e.cancelled_at)}（{e.get_cancelled_by_display()}）"))
        if e.reminded_at:
            rows.append(("开课提醒", local(e.reminded_at)))
        if e.anonymised_at:
            rows.append(("个人信息清除", local(e.anonymised_at)))
        return rows

    def history(self) -> list[dict]:
        """The service's log entries for this enrollment, oldest first: when, what, who."""
        entries = ModelLogEntry.objects.for_instance(self.object).select_related("user").order_by("timestamp", "pk")
        rows = []
        for entry in entries:
            data = entry.data or {}
            detail = ""
            if data.get("status"):
                detail = EnrollmentStatus(data["status"]).label if data["status"] in EnrollmentStatus.values else ""
            elif data.get("from") in EnrollmentStatus.values:
                detail = f"原状态：{EnrollmentStatus(data['from']).label}"
            elif data.get("by"):
                detail = {"applicant": "本人", "staff": "工作人员", "system": "系统"}.get(data["by"], "")
            rows.append(
                {
                    "when": local(entry.timestamp),
                    # get_formatter scans the hooks first (get_action_label does not: a KeyError when this
                    # page is a fresh process's first use of the registry).
                    "action": getattr(log_action_registry.get_formatter(entry), "label", entry.action),
                    "detail": detail,
                    "user": entry.user_display_name if entry.user_id else "报名人/系统",
                }
            )
        return rows

    def actions(self) -> list[dict]:
        """The service's actions this enrollment's status allows; each opens a confirmation page."""
        if not can_change_enrollments(self.request.user):
            return []
        status = self.object.status
        pk = self.object.pk
        actions = []
        if status in (EnrollmentStatus.SUBMITTED, EnrollmentStatus.WAITLISTED, EnrollmentStatus.OFFERED):
            actions.append({"label": "录取", "url": reverse("enrollments:confirm", args=[pk]), "serious": False})
        if status == EnrollmentStatus.WAITLISTED:
            actions.append({"label": "递补录取", "url": reverse("enrollments:promote", args=[pk]), "serious": False})
        if self.object.is_active:
            actions.append({"label": "取消报名", "url": reverse("enrollments:cancel", args=[pk]), "serious": True})
        return actions

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            enrollment=self.object,
            personal=self.personal,
            details=self.details(),
            history=self.history(),
            actions=self.actions(),
            slip_url=reverse("enrollments:slip", args=[self.object.pk]),
            roster_url=reverse("enrollments:index") + f"?course={self.object.course_id}",
            signin_url=reverse("enrollments:signin", args=[self.object.course_id]),
            notices=notices_for(self.object),
            can_resend=self.request.user.has_perm("notices.resend_notice"),
        )
        return context


# --- printed pages ------------------------------------------------------------------------------------


def _schedule(course: CoursePage, lessons=None) -> str:
    """The course's one schedule line (training.services.lessons), e.g. "每周六 09:00–10:30，… 共 6 次课"."""
    return schedule_summary(course, lessons_of(course) if lessons is None else lessons)


def confirmation_slip(request, pk):
    """报名回执: one printed page (A5 or half an A4) handed to the walk-in or read out to the caller."""
    if not request.user.has_perm("training.view_enrollment"):
        raise PermissionDenied
    enrollment = get_object_or_404(Enrollment.objects.select_related("course", "course__term", "course__venue"), pk=pk)
    personal = can_see_personal_data(request.user)
    return TemplateResponse(
        request,
        "training/admin/confirmation_slip.html",
        {
            "enrollment": enrollment,
            "course": enrollment.course,
            "schedule": _schedule(enrollment.course),
            # The slip leaves the building: the participant's name in full (it is theirs), phone and ID masked.
            "participant": enrollment.participant_name if personal else privacy.mask_name(enrollment.participant_name),
            "phone": privacy.mask_phone(enrollment.phone),
            "id_number": privacy.mask_id_number(enrollment.id_number),
            "clerk": request.user.get_full_name() or request.user.get_username(),
            "printed_at": local(timezone.now(), "%Y-%m-%d %H:%M"),
            "created_at": local(enrollment.created_at, "%Y-%m-%d %H:%M"),
            "back_url": reverse("enrollments:inspect", args=[pk]),
        },
    )


SIGNIN_COLUMNS = 12


def signin_sheet(request, course_id):
    """签到表: the confirmed participants of one course on A4 landscape, with blank boxes per lesson.
    Phone numbers are masked unless the user may see personal data (the sheet lies on a teacher's desk)."""
    if not request.user.has_perm("training.view_enrollment"):
        raise PermissionDenied
    course = get_object_or_404(CoursePage.objects.select_related("term", "venue", "teacher"), pk=course_id)
    personal = can_see_personal_data(request.user)
    cutoff = course.term.age_cutoff_date
    rows = []
    enrollments = (
        Enrollment.objects.filter(course_id=course.pk, status=EnrollmentStatus.CONFIRMED)
        .order_by("created_at", "pk")
        .only("participant_name", "gender", "birth_date", "phone", "applicant_name", "reference")
    )
    for number, e in enumerate(enrollments, start=1):
        rows.append(
            {
                "number": number,
                "name": e.participant_name if personal else privacy.mask_name(e.participant_name),
                "gender": e.get_gender_display(),
                "age": age_on(e.birth_date, cutoff),
                "phone": e.phone if personal else privacy.mask_phone(e.phone),
                "reference": e.reference,
            }
        )
    lessons = lessons_of(course)
    held = [lesson for lesson in lessons if lesson.is_held]
    # The lesson dates from today on (all of them before the course starts), as many as fit on the page.
    today = timezone.localdate()
    upcoming = [lesson for lesson in held if lesson.date >= today] or held
    columns = [cn_day(lesson.date) for lesson in upcoming[:SIGNIN_COLUMNS]]
    return TemplateResponse(
        request,
        "training/admin/signin_sheet.html",
        {
            "course": course,
            "schedule": _schedule(course, lessons),
            "rows": rows,
            "lesson_dates": columns or [""] * SIGNIN_COLUMNS,
            "blank_rows": range(3),  # for a late addition, written in by hand
            "printed_at": local(timezone.now(), "%Y-%m-%d %H:%M"),
            "back_url": reverse("enrollments:index") + f"?course={course.pk}",
        },
    )
