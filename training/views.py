"""Public enrollment views: thin; they validate input and call the enrollment service."""

import logging

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from training import ratelimit
from training.forms import EnrollmentForm, LookupForm
from training.models import CoursePage, Enrollment
from training.services.enrollment import STATUS_LABELS, EnrollmentError, accept_offer, cancel, enroll, fast_refusal
from training.services.identity import normalize_reference
from training.services.lessons import lessons_calendar, lessons_of, schedule_summary

logger = logging.getLogger(__name__)

TOO_MANY = "操作过于频繁，请 10 分钟后再试。如有疑问请拨打 12351。"


def enroll_from_course_page(request, course):
    """POST on a course page: enroll, then show the confirmation; on any problem the form with errors."""
    form = EnrollmentForm(request.POST, course=course)
    if refused := fast_refusal(course.pk):  # flagged full/closed: no rate-limit count, no lock
        form.is_valid()
        form.add_error(None, refused.message)
        return _render_course(request, course, form, status=400)
    if not ratelimit.hit("enroll-ip", ratelimit.client_ip(request)):
        form.is_valid()
        form.add_error(None, TOO_MANY)
        return _render_course(request, course, form, status=429)
    if form.is_valid():
        if not ratelimit.hit("enroll-phone", form.cleaned_data["phone"]):
            form.add_error(None, TOO_MANY)
            return _render_course(request, course, form, status=429)
        try:
            outcome = enroll(course.pk, form.applicant(), source="web", course=course)
        except EnrollmentError as error:
            form.add_error(None, error.message)
        else:
            request.session["training_last_reference"] = outcome.enrollment.reference
            if not outcome.created:
                messages.info(request, "该学员已报名过本课程，以下是原有的报名信息。")
            return redirect("training:confirmation", reference=outcome.enrollment.reference)
    return _render_course(request, course, form, status=400)


def _render_course(request, course, form, status):
    context = course.get_context(request)
    context["form"] = form
    response = TemplateResponse(request, course.get_template(request), context, status=status)
    return response


def confirmation(request, reference):
    reference = normalize_reference(reference)
    if reference is None:
        raise Http404("没有这条报名。")
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("course", "course__venue", "course__term", "course__teacher"),
        reference=reference,
    )
    lessons = lessons_of(enrollment.course)
    return TemplateResponse(
        request,
        "training/confirmation.html",
        {
            "enrollment": enrollment,
            "lessons": lessons,
            "schedule_summary": schedule_summary(enrollment.course, lessons),
            "status_label": enrollment.get_status_display(),
            "is_own": request.session.get("training_last_reference") == enrollment.reference,
        },
    )


def course_lessons_ics(request, course_id):
    """The course's lesson dates as an .ics (public: the same dates the course page lists)."""
    course = get_object_or_404(CoursePage.objects.live().select_related("venue"), pk=course_id)
    return _lessons_ics(request, course, f"course-{course.pk}.ics")


def enrollment_lessons_ics(request, reference):
    """An enrolled family's lessons as an .ics, from the confirmation page (reference in the address)."""
    reference = normalize_reference(reference)
    if reference is None:
        raise Http404("没有这条报名。")
    enrollment = get_object_or_404(Enrollment.objects.select_related("course", "course__venue"), reference=reference)
    return _lessons_ics(request, enrollment.course, f"lessons-{enrollment.reference}.ics")


def _lessons_ics(request, course, filename):
    url = course.get_full_url(request) or ""
    body = lessons_calendar(course, lessons_of(course), url).to_ical()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def lookup(request):
    """我的报名: phone + reference show status and waitlist position, with self-cancellation."""
    form = LookupForm(request.POST or None)
    enrollments = []
    status = 200
    if request.method == "POST":
        if not ratelimit.hit("lookup-ip", ratelimit.client_ip(request)):
            form.is_valid()
            form.add_error(None, TOO_MANY)
            status = 429
        elif form.is_valid():
            phone = form.cleaned_data["phone"]
            if not ratelimit.hit("lookup-phone", phone):
                form.add_error(None, TOO_MANY)
                status = 429
            else:
                enrollment = (
                    Enrollment.objects.select_related("course")
                    .filter(reference=form.cleaned_data["reference"], phone=phone)
                    .first()
                )
                if enrollment is None:
                    form.add_error(None, "没有找到这条报名，请核对手机号码和报名编号。")
                    status = 404
                else:
                    enrollments = [enrollment]
                    request.session["training_lookup"] = [enrollment.reference, phone]
        else:
            status = 400
    return TemplateResponse(
        request,
        "training/lookup.html",
        {"form": form, "enrollments": enrollments, "status_labels": STATUS_LABELS},
        status=status,
    )


def _find_own_enrollment(request):
    """The enrollment a cancel/accept POST names by reference and phone (normalised as at enrollment)."""
    form = LookupForm(request.POST)
    if not form.is_valid():
        return None, None
    phone = form.cleaned_data["phone"]
    enrollment = Enrollment.objects.filter(reference=form.cleaned_data["reference"], phone=phone).first()
    return enrollment, phone


@require_POST
def cancel_enrollment(request):
    enrollment, phone = _find_own_enrollment(request)
    if enrollment is None or not ratelimit.hit("lookup-phone", phone):
        messages.error(request, "没有找到这条报名，或操作过于频繁，请稍后再试。")
        return redirect("training:lookup")
    try:
        cancel(enrollment.pk, by="applicant")
    except EnrollmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"报名 {enrollment.reference} 已取消，名额已释放。")
    return redirect(reverse("training:confirmation", kwargs={"reference": enrollment.reference}))


@require_POST
def accept_offer_view(request):
    """我的报名: take the seat offered from the waitlist, before the deadline."""
    enrollment, phone = _find_own_enrollment(request)
    if enrollment is None or not ratelimit.hit("lookup-phone", phone):
        messages.error(request, "没有找到这条报名，或操作过于频繁，请稍后再试。")
        return redirect("training:lookup")
    try:
        accept_offer(enrollment.pk, phone)
    except EnrollmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已确认递补，报名 {enrollment.reference} 已正式录取。")
    return redirect(reverse("training:confirmation", kwargs={"reference": enrollment.reference}))
