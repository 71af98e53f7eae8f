"""Staff screens in the Wagtail admin: enrollments (roster, filters, export, bulk actions), terms, categories, teachers."""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.active_filters import ChoiceFilterAdapter, register_filter_adapter_class
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from training import exports, notifications, staff_views
from training.admin_views import (
    BULK_ACTIONS,
    SEARCH_FIELDS,
    can_change_enrollments,
    can_see_personal_data,
    roster_summary,
    search_enrollments,
)
from training.forms import FreeTextField
from training.models import CourseCategory, CoursePage, Enrollment, EnrollmentStatus, Teacher, Term
from training.services import privacy
from training.services.enrollment import EnrollmentError, cancel, confirm, promote

# Staff read notice kinds by name (通知记录, the enrollment page): training.notifications registers them.
assert notifications.KIND_LABELS


def course_choices():
    """(id, "title（term）") for every course, newest term first, read as plain values: a year has hundreds
    of courses and page instances are expensive to build just to fill a drop-down."""
    rows = CoursePage.objects.order_by("-term__starts_on", "title").values_list("pk", "title", "term__name")
    # Keys as text: Wagtail's active-filter pill looks the label up by the value's text ("课程：41" otherwise).
    return [(str(pk), f"{title}（{term}）") for pk, title, term in rows]


# The course filter is typed (the id as an int); its pill shows the course's name like any choice filter.
register_filter_adapter_class(django_filters.TypedChoiceFilter, ChoiceFilterAdapter)


class EnrollmentFilterSet(WagtailFilterSet):
    term = django_filters.ModelChoiceFilter(field_name="course__term", queryset=Term.objects.all(), label="学期")
    course = django_filters.TypedChoiceFilter(field_name="course_id", choices=course_choices, coerce=int, label="课程")
    status = django_filters.ChoiceFilter(choices=EnrollmentStatus.choices, label="状态")

    class Meta:
        model = Enrollment
        fields = ["term", "course", "status"]


def with_personal_columns(queryset, user):
    """Personal data is masked in the database query unless the user may see it (training.services.privacy)."""
    # A join, not a subquery: PostgreSQL computes the select list for every row an OFFSET skips, and a
    # per-row subquery made page 200 of 400 take 267 ms (bench/export_bench.py).
    return queryset.annotate(course_title=F("course__title"), **privacy.masked_columns(user))


class TextColumn(Column):
    """A table cell written with format_html instead of a template (50 rows × 8 cells of templates were most of
    the list's render time). `display(instance)` gives the text; by default the column's attribute."""

    def __init__(self, name, display=None, **kwargs):
        super().__init__(name, **kwargs)
        self.display = display

    def render_cell_html(self, instance, parent_context):
        value = self.display(instance) if self.display else self.get_value(instance)
        return format_html("<td>{}</td>", "" if value is None else value)


class ReferenceColumn(TitleColumn):
    """The reference, linking to the enrollment page; described for the row's checkbox (same markup as
    Wagtail's title cell, without its template)."""

    def render_cell_html(self, instance, parent_context):
        return format_html(
            '<td class="title"><div class="title-wrapper"><a href="{}"><span id="enrollment_{}_title">{}</span></a>'
            "</div></td>",
            self.get_link_url(instance, parent_context),
            instance.pk,
            instance.reference,
        )


class CheckboxColumn(BulkActionsCheckboxColumn):
    """Wagtail's bulk-action checkbox cell, written without its template."""

    def render_cell_html(self, instance, parent_context):
        return format_html(
            '<td class="bulk-action-checkbox-cell"><input type="checkbox" data-object-id="{}" '
            'data-bulk-action-checkbox class="bulk-action-checkbox" aria-label="选择" '
            'aria-describedby="enrollment_{}_title"></td>',
            instance.pk,
            instance.pk,
        )


def local_minute(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class EnrollmentIndexView(IndexView):
    """The enrollment list: checkboxes and a bulk action footer for staff who may change enrollments,
    and, when filtered to one course, that course's roster header (名额/已录取/候补/剩余名额)."""

    template_name = "training/admin/enrollment_index.html"
    results_template_name = "training/admin/enrollment_index_results.html"
    add_item_label = "现场/电话报名"

    def get_base_queryset(self):
        return with_personal_columns(super().get_base_queryset(), self.request.user)

    def get(self, request, *args, **kwargs):
        # Exports skip the listing's context (table, pagination, roster): straight to the streamed file.
        if self.is_export:
            self.object_list = self.get_queryset()
            return self.as_spreadsheet(self.object_list, request.GET.get("export"))
        return super().get(request, *args, **kwargs)

    def export_scope(self) -> list[str]:
        """What the export was filtered to, for its file name: course or term, and status."""
        if not (self.filters is not None and self.filters.is_valid()):
            return []
        data = self.filters.form.cleaned_data
        scope = []
        if data.get("course"):
            scope.append(CoursePage.objects.values_list("title", flat=True).get(pk=data["course"]))
        elif data.get("term"):
            scope.append(data["term"].name)
        if data.get("status"):
            scope.append(EnrollmentStatus(data["status"]).label)
        return scope

    def as_spreadsheet(self, queryset, spreadsheet_format):
        personal = can_see_personal_data(self.request.user)
        if spreadsheet_format == self.FORMAT_CSV:
            return exports.csv_response(queryset, personal, self.export_scope())
        return exports.xlsx_response(queryset, personal, self.export_scope())

    @cached_property
    def can_bulk_act(self):
        return can_change_enrollments(self.request.user)

    @cached_property
    def columns(self):
        columns = super().columns
        if self.can_bulk_act:
            columns = [CheckboxColumn("bulk_actions", obj_type="enrollment"), *columns]
        return columns

    def _get_title_column(self, field_name, column_class=ReferenceColumn, **kwargs):
        # The reference opens the enrollment page (details, history, notices, actions). No per-row
        # drop-down menu: it cost more to render than the rest of the row, and the actions are on that page
        # and in the bulk-action footer. The checkboxes are described by the reference (get_title_id).
        return self._get_custom_column(
            field_name,
            column_class,
            get_url=self.get_inspect_url,
            **kwargs,
        )

    @cached_property
    def roster_course(self):
        """The course the list is filtered to (its id), or None."""
        if self.filters is not None and self.filters.is_valid():
            return self.filters.form.cleaned_data.get("course") or None
        return None

    def get_ordering(self):
        ordering = super().get_ordering()
        if self.roster_course and "ordering" not in self.request.GET:
            # One course's roster reads 已录取 → 递补 → 候补 (in waitlist order) → … → 已取消.
            return exports.roster_order()
        return ordering

    def search_queryset(self, queryset):
        return search_enrollments(queryset, self.search_query) if self.is_searching else queryset

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["can_bulk_act"] = self.can_bulk_act
        context["roster"] = roster_summary(self.roster_course) if self.roster_course else None
        if self.roster_course:
            context["signin_url"] = reverse("enrollments:signin", args=[self.roster_course])
            if context.get("add_url"):
                context["add_url"] = context["header_action_url"] = f"{self.add_url}?course={self.roster_course}"
        return context


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
        TextColumn("course_title", label="课程", sort_key="course__title"),
        TextColumn("participant_shown", label="学员"),
        TextColumn("phone_shown", label="手机号码"),
        TextColumn("document_type", label="证件类型", display=Enrollment.get_document_type_display),
        TextColumn("status", label="状态", sort_key="status", display=Enrollment.get_status_display),
        TextColumn("waitlist_position", label="候补序号", sort_key="waitlist_position"),
        TextColumn("source", label="报名方式", display=Enrollment.get_source_display),
        TextColumn("created_at", label="提交时间", sort_key="created_at", display=lambda e: local_minute(e.created_at)),
    ]
    # The columns and their formatting are training.exports.COLUMNS; this only turns the download buttons on.
    list_export = [column.field for column in exports.COLUMNS]
    list_per_page = 50
    # Newest first (the created_at index serves it); a course's roster is ordered by status instead.
    ordering = ["-created_at", "-pk"]
    form_fields = ["employer", "union_member"]

    def formfield_for_dbfield(self, db_field, **kwargs):
        if db_field.name == "employer":  # checked and normalised as on every other form (identity)
            return FreeTextField(label=db_field.verbose_name, max_length=db_field.max_length, required=False)
        return super().formfield_for_dbfield(db_field, **kwargs)

    index_view_class = EnrollmentIndexView
    inspect_view_class = staff_views.EnrollmentDetailView

    @property
    def add_view(self):
        # Counter/telephone enrollment: the public form and the enrollment service, not a model form.
        return staff_views.counter_enrollment

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/cancel/", self.staff_action("cancel"), name="cancel"),
            path("<int:pk>/promote/", self.staff_action("promote"), name="promote"),
            path("<int:pk>/confirm/", self.staff_action("confirm"), name="confirm"),
            path("<int:pk>/slip/", staff_views.confirmation_slip, name="slip"),
            path("signin/<int:course_id>/", staff_views.signin_sheet, name="signin"),
        ]

    STAFF_ACTIONS = {
        "cancel": ("取消报名", "取消后名额释放，候补第一位将自动递补并收到短信。"),
        "promote": ("递补为正式录取", "该学员将被正式录取（可超出名额），并收到短信通知。"),
        "confirm": ("录取", "在名额范围内正式录取该报名（名额已满时不会超额录取），学员将收到短信通知。"),
    }

    def staff_action(self, action):
        label, explanation = self.STAFF_ACTIONS[action]

        def view(request, pk):
            if not can_change_enrollments(request.user):
                raise PermissionDenied
            enrollment = get_object_or_404(Enrollment.objects.select_related("course"), pk=pk)
            back_url = reverse(self.get_url_name("inspect"), args=[pk])
            if request.method != "POST":
                return TemplateResponse(
                    request,
                    "training/admin/confirm_action.html",
                    {
                        "enrollment": enrollment,
                        "action_label": label,
                        "explanation": explanation,
                        "index_url": back_url,
                    },
                )
            try:
                if action == "cancel":
                    promoted = cancel(pk, by="staff", user=request.user)
                    messages.success(
                        request, "已取消该报名。" + (f"候补 {promoted.reference} 已自动递补。" if promoted else "")
                    )
                elif action == "promote":
                    promote(pk, user=request.user)
                    messages.success(request, "已递补为正式录取。")
                else:
                    confirm(pk, user=request.user)
                    messages.success(request, "已录取。")
            except EnrollmentError as error:
                messages.error(request, error.message)
            return redirect(back_url)

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


@hooks.register("construct_homepage_panels")
def add_enrollment_dashboard(request, panels):
    if request.user.has_perm("training.view_enrollment"):
        from training.dashboard import EnrollmentDashboardPanel

        panels.append(EnrollmentDashboardPanel(request))
