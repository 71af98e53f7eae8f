"""Public enrollment views: thin; they validate input and call the enrollment and access services.

Who may see or change an enrollment here is decided by training.services.access: the phone and the
reference together (failures counted and locked out), or a phone proven with an SMS code. A visitor who
passed either check keeps it in the session for `ACCESS_SECONDS`, so the cancel and accept buttons post
only the reference (no phone in the page).
"""

import logging
import time

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from training import ratelimit
from training.forms import EnrollmentForm, LookupForm, SmsCodeForm, SmsPhoneForm
from training.models import CoursePage, Enrollment
from training.services import access, privacy
from training.services.enrollment import STATUS_LABELS, EnrollmentError, accept_offer, cancel, enroll, fast_refusal
from training.services.identity import normalize_reference
from training.services.lessons import lessons_calendar, lessons_of, schedule_summary

logger = logging.getLogger(__name__)

TOO_MANY = "操作过于频繁，请 10 分钟后再试。如有疑问请拨打 12351。"
ACCESS_SECONDS = 30 * 60
SESSION_REFERENCES = "training_access"
SESSION_PHONE = "training_phone"


def enroll_from_course_page(request, course):
    """POST on a course page: enroll, then show the confirmation; on any problem the form with errors.

    A repeated submission for the same participant does not reveal the existing reference: it sends the
    visitor to 我的报名 with a note saying where the reference is (the SMS sent at the first enrollment).
    """
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
        if not ratelimit.applicant_allowed(form.cleaned_data):
            form.add_error(None, TOO_MANY)
            return _render_course(request, course, form, status=429)
        try:
            outcome = enroll(course.pk, form.applicant(), source="web", course=course)
        except EnrollmentError as error:
            form.add_error(None, error.message)
        else:
            if not outcome.created:
                messages.info(request, access.ALREADY_ENROLLED)
                return redirect("training:lookup")
            request.session["training_last_reference"] = outcome.enrollment.reference
            _grant(request, outcome.enrollment)
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
            "is_own": _may_act(request, enrollment),
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


# --- who may act on an enrollment in this session --------------------------------------------------


def _grant(request, enrollment):
    granted = {ref: until for ref, until in request.session.get(SESSION_REFERENCES, {}).items() if until > time.time()}
    granted[enrollment.reference] = time.time() + ACCESS_SECONDS
    request.session[SESSION_REFERENCES] = dict(sorted(granted.items(), key=lambda item: item[1])[-20:])


def _verified_phone(request) -> str:
    phone, until = request.session.get(SESSION_PHONE) or ("", 0)
    return phone if until > time.time() else ""


def _may_act(request, enrollment) -> bool:
    if request.session.get(SESSION_REFERENCES, {}).get(enrollment.reference, 0) > time.time():
        return True
    phone = _verified_phone(request)
    return bool(phone and enrollment.phone and access.same_secret(phone, enrollment.phone))


def lookup(request):
    """我的报名: phone + reference (or, where SMS is configured, phone + one-time code) show the
    enrollments, their status and waitlist position, with cancel and accept buttons."""
    sms = access.sms_sign_in_available()
    action = request.POST.get("action", "lookup") if request.method == "POST" else ""
    form = LookupForm(request.POST if action == "lookup" else None)
    phone_form = SmsPhoneForm(request.POST if action == "send_code" else None)
    code_form = SmsCodeForm(request.POST if action == "verify_code" else None)
    enrollments = []
    status = 200
    client = ratelimit.client_ip(request)

    if action == "sign_out":
        request.session.pop(SESSION_PHONE, None)
        request.session.pop(SESSION_REFERENCES, None)
        return redirect("training:lookup")
    if action == "lookup":
        if not ratelimit.hit("lookup-ip", client):
            form.is_valid()
            form.add_error(None, TOO_MANY)
            status = 429
        elif form.is_valid():
            phone = form.cleaned_data["phone"]
            if not ratelimit.hit("lookup-phone", phone):
                form.add_error(None, TOO_MANY)
                status = 429
            else:
                try:
                    enrollment = access.find_own_enrollment(form.cleaned_data["reference"], phone, client)
                except access.AccessDenied as denied:
                    form.add_error(None, denied.message)
                    status = 429 if denied.code == "locked" else 404
                else:
                    enrollments = [enrollment]
                    _grant(request, enrollment)
                    form = LookupForm()  # the page shows no phone number back
        else:
            status = 400
    elif action in ("send_code", "verify_code") and sms:
        active = phone_form if action == "send_code" else code_form
        if active.is_valid():
            phone = active.cleaned_data["phone"]
            try:
                if action == "send_code":
                    access.send_sign_in_code(phone, client)
                else:
                    access.verify_sign_in_code(phone, active.cleaned_data["code"], client)
            except access.AccessDenied as denied:
                active.add_error(None, denied.message)
                status = 429 if denied.code in ("locked", "rate_limited") else 400
            else:
                if action == "verify_code":
                    request.session.cycle_key()
                    request.session[SESSION_PHONE] = (phone, time.time() + ACCESS_SECONDS)
                    return redirect("training:lookup")
                code_form = SmsCodeForm(initial={"phone": phone})
                messages.info(
                    request,
                    f"验证码已发送到 {privacy.mask_phone(phone)}，{access.SIGN_IN_CODE_SECONDS // 60} 分钟内有效。",
                )
        else:
            status = 400

    verified_phone = _verified_phone(request)
    if verified_phone and not enrollments:
        enrollments = list(access.enrollments_for_phone(verified_phone))
    return TemplateResponse(
        request,
        "training/lookup.html",
        {
            "form": form,
            "sms_sign_in": sms,
            "phone_form": phone_form,
            "code_form": code_form,
            "code_sent": action == "send_code" and status == 200,
            "verified_phone": privacy.mask_phone(verified_phone),
            "enrollments": enrollments,
            "status_labels": STATUS_LABELS,
        },
        status=status,
    )


def _enrollment_for_action(request):
    """The enrollment a cancel/accept POST names, if this visitor may act on it; else None (message set).

    Accepts the reference alone when the session holds the right to it, or the phone and the reference
    (checked and counted like a lookup).
    """
    reference = access.normalise_reference(request.POST.get("reference", ""))
    phone = LookupForm.normalise_phone(request.POST.get("phone", ""))
    client = ratelimit.client_ip(request)
    if phone:
        if not ratelimit.hit("lookup-ip", client) or not ratelimit.hit("lookup-phone", phone):
            messages.error(request, TOO_MANY)
            return None
        try:
            enrollment = access.find_own_enrollment(reference, phone, client)
        except access.AccessDenied as denied:
            messages.error(request, denied.message)
            return None
        _grant(request, enrollment)
        return enrollment
    enrollment = Enrollment.objects.filter(reference=reference).first() if reference else None
    if enrollment is None or not _may_act(request, enrollment):
        messages.error(request, "请先用手机号码和报名编号查询这条报名。")
        return None
    return enrollment


@require_POST
def cancel_enrollment(request):
    enrollment = _enrollment_for_action(request)
    if enrollment is None:
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
    enrollment = _enrollment_for_action(request)
    if enrollment is None:
        return redirect("training:lookup")
    try:
        accept_offer(enrollment.pk, enrollment.phone)
    except EnrollmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已确认递补，报名 {enrollment.reference} 已正式录取。")
    return redirect(reverse("training:confirmation", kwargs={"reference": enrollment.reference}))
