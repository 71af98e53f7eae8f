"""The draw in the admin (list of lottery courses, confirmation, run) and the public result page."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from wagtail.admin import messages

from training.models import Allocation, CoursePage, EnrollmentStatus, LotteryDraw
from training.services import lottery
from training.services.enrollment import EnrollmentError
from training.services.seats import load_seat_state

PERMISSION = "training.change_enrollment"


def _require(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def admin_index(request):
    """Every course in lottery mode: entrants, seats, whether it can be drawn, and the result."""
    _require(request)
    now = timezone.now()
    courses = (
        CoursePage.objects.filter(allocation=Allocation.LOTTERY)
        .select_related("term", "lottery_draw")
        .annotate(entrants=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.SUBMITTED)))
        .order_by("-term__starts_on", "title")
    )
    rows = []
    for course in courses:
        draw = getattr(course, "lottery_draw", None)
        allowed, reason = (False, "") if draw else lottery.can_draw(course, now)
        rows.append({"course": course, "draw": draw, "allowed": allowed, "reason": reason})
    return TemplateResponse(request, "training/admin/lottery_index.html", {"rows": rows})


def admin_draw(request, course_id):
    """GET: what will happen; POST: run the draw (the confirmation step)."""
    _require(request)
    course = get_object_or_404(CoursePage.objects.select_related("term"), pk=course_id, allocation=Allocation.LOTTERY)
    entrants = course.enrollments.filter(status=EnrollmentStatus.SUBMITTED).count()
    allowed, reason = lottery.can_draw(course)
    state = load_seat_state(course.pk)
    if request.method == "POST":
        try:
            draw = lottery.run_draw(course.pk, user=request.user)
        except EnrollmentError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"“{course.title}”摇号完成：{len(draw.entrants)} 人参与，录取 {min(draw.seats, len(draw.order))} 人。",
            )
            return redirect("training_lottery_index")
    return TemplateResponse(
        request,
        "training/admin/lottery_draw.html",
        {
            "course": course,
            "entrants": entrants,
            "seats": state["seat_left"],
            "waitlist_seats": max(course.waitlist_size - state["seat_waitlisted"], 0),
            "seed_sha256": lottery.commit_seed(course.pk).seed_sha256,
            "allowed": allowed,
            "reason": reason,
            "result_url": reverse("lottery_result", args=[course.pk]),
        },
    )


def public_result(request, course_id):
    """摇号结果: the method, the seed, the list's hash and every entrant's outcome, masked."""
    course = get_object_or_404(
        CoursePage.objects.live().public().select_related("term"), pk=course_id, allocation=Allocation.LOTTERY
    )
    draw = LotteryDraw.objects.filter(course=course).first()
    if draw and request.GET.get("format") == "json":
        return JsonResponse(
            {
                "course": course.title,
                "drawn_at": draw.drawn_at.isoformat(),
                "seed": draw.seed,
                "seed_sha256": draw.seed_sha256,
                "seed_committed_at": draw.seed_committed_at.isoformat() if draw.seed_committed_at else None,
                "seed_check": "sha256(seed.encode()).hexdigest() == seed_sha256",
                "method": 'order = entrant numbers sorted by sha256(f"{seed}:{no}").hexdigest()',
                "entrants": [{k: e[k] for k in ("no", "name", "phone")} for e in draw.entrants],
                "entrants_hash": draw.entrants_hash,
                "hash_of": 'sha256("\\n".join(f"{no}|{name}|{phone}"))',
                "order": draw.order,
                "seats": draw.seats,
                "waitlist_seats": draw.waitlist_seats,
            },
            json_dumps_params={"ensure_ascii": False, "indent": 1},
        )
    rows = lottery.results(draw) if draw else []
    code = "".join(request.GET.get("code", "").split()).upper()[:12]
    mine = None
    if draw and code:
        number = next((e["no"] for e in draw.entrants if e["reference"] == code), None)
        mine = next((row for row in rows if row["no"] == number), None)
        for row in rows:
            row["mine"] = row is mine
    return TemplateResponse(
        request,
        "training/lottery_result.html",
        {
            "course": course,
            "draw": draw,
            "rows": rows,
            "verified": lottery.verify(draw) if draw else False,
            "outside": lottery.confirmed_outside_draw(draw) if draw else [],
            "commitment": None if draw else lottery.published_commitment(course),
            "page": course,
            "code": code,
            "mine": mine,
        },
        status=404 if code and mine is None and draw else 200,
    )
