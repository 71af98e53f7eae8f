"""Forms of the staff admin: counter and telephone enrollment (现场/电话报名).

The counter form IS the public form (training.forms.EnrollmentForm: same fields, same validation and
normalisation of names, phone and 身份证 numbers) plus the course and the channel; the rules (window, age,
seats, term limit) stay in training.services.enrollment, which the view calls.
"""

from django import forms
from django.utils import timezone

from training.forms import EnrollmentForm
from training.models import CoursePage

STAFF_SOURCES = [("counter", "现场"), ("phone", "电话")]


def open_course_choices(now=None) -> list[tuple[int, str]]:
    """Live courses of terms that have not ended, as (id, "title（term）"), newest term first; plain values
    (no page instances)."""
    today = timezone.localdate(now)
    rows = (
        CoursePage.objects.live()
        .filter(term__ends_on__gte=today)
        .order_by("-term__starts_on", "title")
        .values_list("pk", "title", "term__name")
    )
    return [(pk, f"{title}（{term}）") for pk, title, term in rows]


class CounterEnrollmentForm(EnrollmentForm):
    """What staff type for a walk-in or a caller. Field order: course and channel first, then the public form."""

    course = forms.TypedChoiceField(label="课程", coerce=int, choices=())
    source = forms.ChoiceField(label="报名方式", choices=STAFF_SOURCES, initial="counter", widget=forms.RadioSelect)

    field_order = ["course", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["website"]  # the public form's honeypot: staff are not bots
        self.fields["course"].choices = [("", "请选择课程"), *open_course_choices()]
        self.fields["course"].error_messages["invalid_choice"] = "请选择一门正在招生的课程。"
        self.fields["course"].error_messages["required"] = "请选择课程。"
        self.fields["consent"].label = (
            "已向报名人说明《个人信息保护告知》（电话报名时口头告知）并取得同意：所填信息仅用于本次报名、"
            "上课联系和统计，学期结束后按规定删除或匿名化。"
        )
        self.fields["applicant_name"].label = "报名人（家长/本人）姓名"
        self.fields["employer"].help_text = "职工技能培训必填"
        self.order_fields(self.field_order)
