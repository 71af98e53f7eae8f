"""Bulk actions on the enrollment list (录取 / 取消报名 / 递补录取) and the per-course roster summary.

The bulk actions use Wagtail's bulk action framework (`/admin/bulk/training/enrollment/<action>/`):
the list has checkboxes and a footer with the actions, each action first shows a confirmation page
listing the chosen enrollments, then runs every enrollment through training.services.enrollment, one
call (and one course row lock) each, so capacity and waitlist rules hold row by row: a refusal is
reported for that enrollment while the others go through. Every change is logged by the service.
"""

import unicodedata
from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import Http404
from wagtail.admin import messages
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.log_actions import LogContext

from training.models import ACTIVE_STATUSES, Allocation, CoursePage, Enrollment, EnrollmentStatus
from training.services import privacy
from training.services.enrollment import EnrollmentError, cancel, confirm, promote
from training.services.identity import mobile_or_none, normalize_name_text
from training.services.seats import with_seat_state

CHANGE_PERMISSION = "training.change_enrollment"
SEARCH_FIELDS = ["reference", "participant_name", "applicant_name", "phone"]


def search_enrollments(queryset, query: str):
    """The staff's search box: a query that is a mobile number however typed (+86, spaces, full-width)
    finds that phone exactly; anything else matches reference, names or phone by substring (the
    phone by the query's digits, so "１３９ ００" finds 13900…)."""
    query = query.strip()
    if not query:
        return queryset
    phone = mobile_or_none(query)  # before the name normalisation, which reads "．" as a middle dot
    if phone:
        return queryset.filter(phone=phone)
    query = normalize_name_text(query)  # names are stored with one middle dot, composed
    condition = Q()
    for field in SEARCH_FIELDS:
        condition |= Q(**{f"{field}__icontains": query})
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", query) if ch in "0123456789")
    if digits:
        condition |= Q(phone__contains=digits)
    return queryset.filter(condition)


def can_change_enrollments(user) -> bool:
    return user.has_perm(CHANGE_PERMISSION)


def can_see_personal_data(user) -> bool:
    """Full names, phone, 身份证 and e-mail (the 报名管理员 group); others see them masked."""
    return privacy.can_see_personal_data(user)


class EnrollmentBulkAction(BulkAction):
    """Shared by the three actions: permission, selection, confirmation page, per-row service calls."""

    models = [Enrollment]
    template_name = "training/admin/confirm_bulk_action.html"
    #: statuses the action applies to; others are listed as "不适用" and skipped
    applies_to: tuple[str, ...] = ()
    explanation = ""
    done_label = ""

    def dispatch(self, request, *args, **kwargs):
        if not can_change_enrollments(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @classmethod
    def get_queryset(cls, model, object_ids):
        ids = [int(pk) for pk in object_ids if str(pk).isdigit()]
        # By course, then waitlist order: locks are taken in a stable order and earlier waitlisted
        # enrollments get the free seats first.
        enrollments = list(
            Enrollment.objects.filter(pk__in=ids)
            .select_related("course")
            .order_by("course_id", F("waitlist_position").asc(nulls_first=True), "created_at", "pk")
        )
        if not enrollments:
            raise Http404("未找到所选报名。")
        return enrollments

    def get_all_objects_in_listing_query(self, parent_id):
        """“选择列表中全部”: the listing's own filters and search, not every enrollment in the database."""
        from training.wagtail_hooks import EnrollmentFilterSet

        queryset = EnrollmentFilterSet(self.request.GET, queryset=Enrollment.objects.all()).qs
        return search_enrollments(queryset, self.request.GET.get("q", "")).values_list("pk", flat=True)

    def applies(self, enrollment) -> bool:
        return enrollment.status in self.applies_to

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        items = context["items"]
        context.update(
            action_label=self.display_name,
            explanation=self.explanation,
            applicable_count=sum(1 for item in items if item["applicable"]),
            courses=self.course_summaries([item["item"] for item in items if item["applicable"]]),
            header_icon="form",
            button_class=" ".join(sorted(self.classes)),
        )
        return context

    def object_context(self, obj):
        return {"item": obj, "applicable": self.applies(obj)}

    def course_summaries(self, enrollments):
        """Seats per course of the selection, so staff see before confirming how many can get a seat."""
        chosen = defaultdict(int)
        for enrollment in enrollments:
            chosen[enrollment.course_id] += 1
        courses = with_seat_state(CoursePage.objects.filter(pk__in=chosen).select_related("seats")).order_by("title")
        return [{"course": course, "chosen": chosen[course.pk]} for course in courses]

    def get_execution_context(self):
        return {"view": self, "user": self.request.user}

    @classmethod
    def execute_action(cls, objects, view=None, user=None, **kwargs):
        done = 0
        for enrollment in objects:
            if not view.applies(enrollment):
                view.report(
                    enrollment, f"当前状态为“{enrollment.get_status_display()}”，不适用{view.display_name}，已跳过。"
                )
                continue
            try:
                # One log context (so one uuid) per row: Wagtail's history shows only the latest entry
                # per (uuid, action), so a request-wide uuid would hide all but one row's entry.
                with LogContext(user=user):
                    view.run(enrollment, user)
            except EnrollmentError as error:
                view.report(enrollment, error.message)
            else:
                done += 1
        return done, 0

    def run(self, enrollment, user):
        raise NotImplementedError

    def report(self, enrollment, text):
        messages.error(self.request, f"{enrollment.reference}（{enrollment.masked_participant}）：{text}")

    def get_success_message(self, num_parent_objects, num_child_objects):
        if num_parent_objects:
            return f"已{self.done_label} {num_parent_objects} 条报名。"
        return None


class ConfirmBulkAction(EnrollmentBulkAction):
    display_name = "录取"
    action_type = "confirm"
    aria_label = "录取所选报名"
    action_priority = 10
    applies_to = (EnrollmentStatus.WAITLISTED, EnrollmentStatus.OFFERED)
    explanation = (
        "在名额范围内正式录取所选候补报名（按候补顺序）；名额已满的课程不会超额录取，相应报名将被跳过并提示。"
        "摇号课程的报名只能由摇号决定，不能在摇号前人工录取。学员将收到短信通知。"
    )
    done_label = "录取"

    def run(self, enrollment, user):
        confirm(enrollment.pk, user=user)


class CancelBulkAction(EnrollmentBulkAction):
    display_name = "取消报名"
    action_type = "cancel"
    aria_label = "取消所选报名"
    action_priority = 20
    classes = {"serious"}
    applies_to = ACTIVE_STATUSES
    explanation = "取消后名额释放，候补第一位将自动递补并收到短信。"
    done_label = "取消"

    def run(self, enrollment, user):
        promoted = cancel(enrollment.pk, by="staff", user=user)
        if promoted:
            messages.success(self.request, f"候补 {promoted.reference} 已自动递补。")


class PromoteBulkAction(EnrollmentBulkAction):
    display_name = "递补录取"
    action_type = "promote"
    aria_label = "将所选候补递补为正式录取"
    action_priority = 30
    applies_to = (EnrollmentStatus.WAITLISTED,)
    explanation = "所选候补学员将被正式录取（可超出名额），并收到短信通知。"
    done_label = "递补录取"

    def run(self, enrollment, user):
        promote(enrollment.pk, user=user)


BULK_ACTIONS = (ConfirmBulkAction, CancelBulkAction, PromoteBulkAction)


def roster_summary(course: CoursePage | int) -> dict:
    """The roster header of one course (a course or its id), from its seat row (training.services.seats, the numbers the rules use)."""
    course = with_seat_state(CoursePage.objects.select_related("term", "seats")).get(pk=getattr(course, "pk", course))
    seats = course.seats
    return {
        "course": course,
        "capacity": course.capacity,
        "confirmed": seats.confirmed,
        "waitlisted": seats.waitlisted,
        "waitlist_size": course.waitlist_size,
        "offered": seats.offered,  # held for the person offered them: taken, not free
        "submitted": seats.submitted,
        "seats_left": course.seat_left,
        "over_capacity": max(course.seat_taken - course.capacity, 0),
        "is_lottery": course.allocation == Allocation.LOTTERY,
    }
