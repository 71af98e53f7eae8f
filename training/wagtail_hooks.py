"""Staff screens in the Wagtail admin: enrollments (roster, filters, export, bulk actions), terms, categories, teachers."""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from training.admin_views import (
    BULK_ACTIONS,
    SEARCH_FIELDS,
    can_change_enrollments,
    roster_summary,
    search_enrollments,
)
from training.models import CourseCategory, CoursePage, Enrollment, EnrollmentStatus, Teacher, Term
from training.services import privacy
from training.services.enrollment import EnrollmentError, cancel, promote


class EnrollmentFilterSet(WagtailFilterSet):
    term = django_filters.ModelChoiceFilter(field_name="course__term", queryset=Term.objects.all(), label="学期")
    course = django_filters.ModelChoiceFilter(queryset=CoursePage.objects.all().order_by("title"), label="课程")
    status = django_filters.ChoiceFilter(choices=EnrollmentStatus.choices, label="状态")

    class Meta:
        model = Enrollment
        fields = ["term", "course", "status"]


def with_personal_columns(queryset, user):
    """Personal data is masked in the database query unless the user may see it (training.services.privacy)."""
    return queryset.select_related("course", "course__term").annotate(**privacy.masked_columns(user))


class EnrollmentInspectView(InspectView):
    """检查: every field, with the personal ones masked by the same rules as the list and the exports."""

    def get_field_display_value(self, field_name, field):
        if field_name in privacy.PERSONAL_FIELDS and not privacy.can_see_personal_data(self.request.user):
            return privacy.display_value(self.request.user, self.object, field_name) or "-"
        return super().get_field_display_value(field_name, field)


class EnrollmentIndexView(IndexView):
    """The enrollment list: checkboxes and a bulk action footer for staff who may change enrollments,
    and, when filtered to one course, that course's roster header (名额/已录取/候补/剩余名额)."""

    template_name = "training/admin/enrollment_index.html"
    results_template_name = "training/admin/enrollment_index_results.html"

    def get_base_queryset(self):
        return with_personal_columns(super().get_base_queryset(), self.request.user)

    @cached_property
    def can_bulk_act(self):
        return can_change_enrollments(self.request.user)

    @cached_property
    def columns(self):
        columns = super().columns
        if self.can_bulk_act:
            columns = [BulkActionsCheckboxColumn("bulk_actions", obj_type="enrollment"), *columns]
        return columns

    def _get_title_column(self, *args, **kwargs):
        # The checkboxes are described by the reference shown in the title column.
        return super()._get_title_column(
            *args, **kwargs, get_title_id=lambda instance: f"enrollment_{instance.pk}_title"
        )

    @cached_property
    def roster_course(self):
        if self.filters is not None and self.filters.is_valid():
            return self.filters.form.cleaned_data.get("course")
        return None

    def search_queryset(self, queryset):
        return search_enrollments(queryset, self.search_query) if self.is_searching else queryset

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["can_bulk_act"] = self.can_bulk_act
        context["roster"] = roster_summary(self.roster_course) if self.roster_course else None
        return context

    def get_list_more_buttons(self, instance):
        """取消报名 / 递补录取 in each row's menu (they open a confirmation page that POSTs)."""
        buttons = list(super().get_list_more_buttons(instance))
        if not self.request.user.has_perm("training.change_enrollment"):
            return buttons
        if instance.is_active:
            buttons.append(
                MenuItem(
                    "取消报名", url=reverse("enrollments:cancel", args=[instance.pk]), icon_name="cross", priority=40
                )
            )
        if instance.status == EnrollmentStatus.WAITLISTED:
            buttons.append(
                MenuItem(
                    "递补录取", url=reverse("enrollments:promote", args=[instance.pk]), icon_name="success", priority=41
                )
            )
        return buttons


class EnrollmentViewSet(ModelViewSet):
    model = Enrollment
    icon = "form"
    menu_label = "报名管理"
    menu_order = 300
    add_to_admin_menu = True
    inspect_view_enabled = True
    filterset_class = EnrollmentFilterSet
    search_fields = SEARCH_FIELDS
    list_display = [
        "reference",
        "course",
        Column("participant_shown", label="学员"),
        Column("phone_shown", label="手机号码"),
        "document_type",
        "status",
        "waitlist_position",
        "created_at",
    ]
    list_export = [
        "reference",
        "course",
        "status",
        "waitlist_position",
        "participant_shown",
        "gender",
        "birth_shown",
        "applicant_shown",
        "phone_shown",
        "get_document_type_display",
        "id_number_shown",
        "employer",
        "union_member",
        "created_at",
    ]
    export_headings = {
        "reference": "报名编号",
        "course": "课程",
        "status": "状态",
        "waitlist_position": "候补序号",
        "participant_shown": "学员",
        "gender": "性别",
        "birth_shown": "出生日期",
        "applicant_shown": "报名人",
        "phone_shown": "手机号码",
        "get_document_type_display": "证件类型",
        "id_number_shown": "身份证号",
        "employer": "工作单位",
        "union_member": "工会会员",
        "created_at": "提交时间",
    }
    export_filename = "报名名单"
    list_per_page = 50
    ordering = ["course", "status", "waitlist_position", "created_at"]
    form_fields = ["employer", "union_member"]

    index_view_class = EnrollmentIndexView
    inspect_view_class = EnrollmentInspectView

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/cancel/", self.staff_action("cancel"), name="cancel"),
            path("<int:pk>/promote/", self.staff_action("promote"), name="promote"),
        ]

    def staff_action(self, action):
        def view(request, pk):
            if not request.user.has_perm("training.change_enrollment"):
                raise PermissionDenied
            enrollment = get_object_or_404(Enrollment.objects.select_related("course"), pk=pk)
            if request.method != "POST":
                return TemplateResponse(
                    request,
                    "training/admin/confirm_action.html",
                    {
                        "enrollment": enrollment,
                        "action_label": "取消报名" if action == "cancel" else "递补为正式录取",
                        "explanation": "取消后名额释放，候补第一位将自动递补并收到短信。"
                        if action == "cancel"
                        else "该学员将被正式录取（可超出名额），并收到短信通知。",
                        "index_url": reverse(self.get_url_name("index")),
                    },
                )
            try:
                if action == "cancel":
                    promoted = cancel(pk, by="staff", user=request.user)
                    messages.success(
                        request, "已取消该报名。" + (f"候补 {promoted.reference} 已自动递补。" if promoted else "")
                    )
                else:
                    promote(pk, user=request.user)
                    messages.success(request, "已递补为正式录取。")
            except EnrollmentError as error:
                messages.error(request, error.message)
            return redirect(reverse(self.get_url_name("index")))

        return view


enrollment_viewset = EnrollmentViewSet("enrollments")


class TermViewSet(SnippetViewSet):
    model = Term
    icon = "date"
    menu_label = "学期"
    list_display = [
        "name",
        "season",
        "starts_on",
        "enrollment_opens_at",
        "enrollment_closes_at",
        "max_courses_per_participant",
    ]
    list_filter = ["season"]


class CourseCategoryViewSet(SnippetViewSet):
    model = CourseCategory
    icon = "tag"
    menu_label = "课程类别"
    list_display = ["name", "slug", "sort_order"]


class TeacherViewSet(SnippetViewSet):
    model = Teacher
    icon = "user"
    menu_label = "教师"
    list_display = ["name", "title"]
    search_fields = ["name", "title"]


class TrainingGroup(ViewSetGroup):
    items = (TermViewSet, CourseCategoryViewSet, TeacherViewSet)
    menu_label = "培训设置"
    menu_icon = "cogs"
    menu_order = 310


@hooks.register("register_admin_viewset")
def register_enrollment_viewset():
    return enrollment_viewset


@hooks.register("register_admin_viewset")
def register_training_settings():
    return TrainingGroup()


@hooks.register("register_log_actions")
def register_enrollment_log_actions(actions):
    actions.register_action("training.enroll", "报名", "提交报名")
    actions.register_action("training.cancel", "取消报名", "取消报名")
    actions.register_action("training.promote", "递补录取", "候补递补为正式录取")
    actions.register_action("training.confirm", "录取", "工作人员确认录取")
    actions.register_action("training.lottery", "摇号", "摇号")
    actions.register_action("training.offer", "递补通知", "发出限时递补名额")
    actions.register_action("training.accept", "确认递补", "报名人确认递补名额")
    actions.register_action("training.expire", "递补逾期", "递补名额逾期未确认，自动放弃")
    actions.register_action("training.purge", "清除个人信息", "按保存期限清除报名个人信息")


@hooks.register("register_admin_urls")
def register_lottery_urls():
    from training import lottery_views

    return [
        path("lottery/", lottery_views.admin_index, name="training_lottery_index"),
        path("lottery/<int:course_id>/", lottery_views.admin_draw, name="training_lottery_draw"),
    ]


@hooks.register("register_admin_menu_item")
def register_lottery_menu_item():
    from wagtail.admin.menu import MenuItem as AdminMenuItem

    class LotteryMenuItem(AdminMenuItem):
        def is_shown(self, request):
            return can_change_enrollments(request.user)

    return LotteryMenuItem("摇号", reverse("training_lottery_index"), icon_name="resubmit", order=330)


for bulk_action in BULK_ACTIONS:
    hooks.register("register_bulk_action", bulk_action)


@hooks.register("register_admin_viewset")
def register_lesson_change_viewset():
    from training.admin_lessons import lesson_change_viewset

    return lesson_change_viewset


@hooks.register("register_log_actions")
def register_lesson_log_actions(actions):
    actions.register_action("training.lesson_change", "调课停课", "调整单次课的日期")
    actions.register_action("training.paid", "已缴费", "工作人员标记已缴费")


def _register_payment_bulk_action():
    from training.admin_lessons import MarkPaidBulkAction

    hooks.register("register_bulk_action", MarkPaidBulkAction)


_register_payment_bulk_action()
