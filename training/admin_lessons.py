"""Staff screens of issue #17: 调课停课 (cancel or move one lesson) and the 已缴费 bulk action.

Both go through services (training.services.lessons, training.services.payments); the forms only
collect input, and the service's Chinese refusal is shown on the form.
"""

from django import forms
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.model import ModelViewSet

from training.admin_views import EnrollmentBulkAction
from training.models import CoursePage, EnrollmentStatus, LessonChange
from training.services.lessons import LessonChangeError, change_lesson, validate_change
from training.services.payments import mark_paid


class LessonChangeForm(WagtailAdminModelForm):
    class Meta:
        model = LessonChange
        fields = ["course", "original_date", "kind", "new_date", "new_start_time", "new_end_time", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = CoursePage.objects.order_by("title")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            validate_change(
                data["course"],
                data["original_date"],
                data["kind"],
                data.get("new_date"),
                data.get("new_start_time"),
                data.get("new_end_time"),
            )
        except LessonChangeError as error:
            raise forms.ValidationError(error.message) from error
        return data


class ChangeThroughService:
    """Create/edit save through change_lesson, which rebuilds the dates and notifies the enrolled."""

    def save_instance(self):
        data = self.form.cleaned_data
        change = change_lesson(
            data["course"].pk,
            data["original_date"],
            kind=data["kind"],
            new_date=data.get("new_date"),
            new_start_time=data.get("new_start_time"),
            new_end_time=data.get("new_end_time"),
            note=data.get("note", ""),
            user=self.request.user,
        )
        messages.success(self.request, "已保存，上课日期已更新，已录取学员将收到短信通知。")
        return change


class LessonChangeCreateView(ChangeThroughService, CreateView):
    pass


class LessonChangeEditView(ChangeThroughService, EditView):
    pass


class LessonChangeViewSet(ModelViewSet):
    model = LessonChange
    icon = "date"
    menu_label = "调课停课"
    menu_order = 305
    add_to_admin_menu = True
    list_display = ["course", "original_date", "kind", "new_date", "note", "created_at"]
    list_filter = ["course"]
    add_view_class = LessonChangeCreateView
    edit_view_class = LessonChangeEditView

    def get_form_class(self, for_update=False):
        return LessonChangeForm


lesson_change_viewset = LessonChangeViewSet("lesson_changes")


class MarkPaidBulkAction(EnrollmentBulkAction):
    display_name = "标记已缴费"
    action_type = "mark_paid"
    aria_label = "将所选报名标记为已缴费"
    action_priority = 40
    applies_to = (EnrollmentStatus.CONFIRMED,)
    explanation = "确认已在服务台收到所选学员的费用。标记后不会因逾期未缴费而被取消。"
    done_label = "标记已缴费"

    def run(self, enrollment, user):
        mark_paid(enrollment.pk, user=user)
