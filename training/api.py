"""JSON API v1 for the WeChat mini-program and partner apps (django-ninja), documented by OpenAPI.

Thin like the web views: input is validated by the same form as the web (Chinese messages), and every
change goes through training.services.enrollment, so the rules, the row lock and the rate limits are
the same whatever the entry point. Errors have one shape: {"code", "message"[, "errors"]}.
"""

import datetime
import functools

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from training import ratelimit
from training.forms import EnrollmentForm
from training.models import Audience, CoursePage, Enrollment
from training.services import access
from training.services.enrollment import EnrollmentError, cancel, enroll, recent_rule_course
from training.services.identity import mobile_or_none
from training.services.seats import STATUS_LABELS, STATUSES, with_seat_state

api = NinjaAPI(
    title="海宁市工人文化宫 课程报名接口",
    version="1",
    description=(
        "课程目录与在线报名。与网站报名表使用同一套规则（报名时间、年龄、每学期限报、名额与候补）和频率限制。"
        "错误统一返回 {code, message}，message 为可直接展示给用户的中文说明。"
    ),
    urls_namespace="api-v1",
    docs_url="/docs/",
    openapi_url="/openapi.json",
)

JSON_TYPES = ("application/json",)


def json_bodies_only(view):
    """415 for a request body that is not JSON (form posts, XML, text …), before anything parses it."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        content_type = request.content_type or ""
        is_json = content_type in JSON_TYPES or (
            content_type.startswith("application/") and content_type.endswith("+json")
        )
        if request.method in ("POST", "PUT", "PATCH") and request.body and not is_json:
            return JsonResponse(
                {"code": "unsupported_media_type", "message": "请以 JSON 格式提交（Content-Type: application/json）。"},
                status=415,
                json_dumps_params={"ensure_ascii": False},
            )
        return view(request, *args, **kwargs)

    return wrapped


api.add_decorator(json_bodies_only, mode="view")

TOO_MANY = "操作过于频繁，请 10 分钟后再试。如有疑问请拨打 12351。"


def counted_by_address(run):
    """Operation decorator: each submission counts against its client address before its body is read, so
    a body the schema refuses counts too, and a client over its limit costs no query (nor churns the course
    memo): 429 from then on."""

    @functools.wraps(run)
    def counted(request, *args, **kwargs):
        if not ratelimit.hit("enroll-ip", ratelimit.client_ip(request)):
            return JsonResponse(
                {"code": "rate_limited", "message": TOO_MANY}, status=429, json_dumps_params={"ensure_ascii": False}
            )
        return run(request, *args, **kwargs)

    return counted


BUSY_RETRY_AFTER = "5"  # seconds: the lock timeout


def _refused(error: EnrollmentError, response: HttpResponse):
    """A rule's refusal as 409, or 503 with Retry-After when the course was busy (a temporary state)."""
    if error.code == "busy":
        response["Retry-After"] = BUSY_RETRY_AFTER
        return Status(503, {"code": error.code, "message": error.message})
    return Status(409, {"code": error.code, "message": error.message})


class ErrorOut(Schema):
    code: str = Field(..., description="机器可读的原因代码，如 closed、too_young、term_limit、full")
    message: str = Field(..., description="中文说明，可直接展示")


class FieldError(Schema):
    field: str
    message: str


class ValidationErrorOut(ErrorOut):
    errors: list[FieldError]


class CourseOut(Schema):
    id: int
    title: str
    url: str
    term: str
    term_id: int
    category: str
    category_slug: str
    audience: str = Field(..., description="children 少儿 / adults 职工")
    age_min: int | None
    age_max: int | None
    capacity: int
    seats_left: int = Field(..., description="剩余名额：名额减去已录取和递补待确认（保留中）的人数")
    waitlist_count: int
    waitlist_size: int
    status: str = Field(
        ..., description="upcoming 即将开放 / open 报名中 / waitlist 已满可候补 / full 已满 / closed 已截止"
    )
    status_label: str
    allocation: str = Field(..., description="fcfs 先到先得 / lottery 摇号")
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    fee: float
    requires_employer: bool
    venue: str


class CourseList(Schema):
    count: int
    items: list[CourseOut]


class CourseFilters(Schema):
    term: int | None = Field(None, ge=1, le=2**31 - 1, description="学期 id")
    category: str | None = Field(None, max_length=40, description="类别网址标识（slug）")
    audience: str | None = Field(None, max_length=10, description="children / adults")
    status: str | None = Field(None, max_length=10, description="upcoming / open / waitlist / closed")
    limit: int = Field(50, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100000)


class EnrollmentIn(Schema):
    applicant_name: str = Field(..., max_length=60, description="报名人（家长或本人）姓名")
    phone: str = Field(
        ..., max_length=30, description="中国大陆手机号码（短信通知）；可带 +86、0086、空格、横线，全角数字亦可"
    )
    participant_name: str = Field(..., max_length=60, description="学员姓名")
    id_number: str = Field(
        ..., max_length=30, description="学员 18 位证件号码：居民身份证、港澳台居民居住证或外国人永久居留身份证"
    )
    consent: bool = Field(..., description="已阅读并同意个人信息保护告知")
    employer: str = Field("", max_length=120, description="工作单位（职工课程必填）")
    email: str = Field("", max_length=120)
    union_member: bool = False


class EnrollmentOut(Schema):
    reference: str
    status: str
    status_label: str
    waitlist_position: int | None
    course_id: int
    offer_expires_at: datetime.datetime | None = None


class PhoneIn(Schema):
    phone: str = Field(..., max_length=30, description="报名时填写的手机号码")


class LookupIn(PhoneIn):
    reference: str = Field(..., max_length=20, description="报名编号")


def _course_out(course: CoursePage, request) -> dict:
    """`course` comes annotated by training.services.seats.with_seat_state."""
    status = course.seat_status
    return {
        "id": course.pk,
        "title": course.title,
        "url": course.get_full_url(request) or course.url or "",
        "term": course.term.name,
        "term_id": course.term_id,
        "category": course.category.name,
        "category_slug": course.category.slug,
        "audience": course.audience,
        "age_min": course.age_min,
        "age_max": course.age_max,
        "capacity": course.capacity,
        "seats_left": course.seat_left,
        "waitlist_count": course.seat_waitlisted,
        "waitlist_size": course.waitlist_size,
        "status": status,
        "status_label": STATUS_LABELS[status],
        "allocation": course.allocation,
        "opens_at": course.window_opens_at,
        "closes_at": course.window_closes_at,
        "fee": float(course.fee),
        "requires_employer": course.requires_employer,
        "venue": str(course.venue) if course.venue else "",
    }


def _enrollment_out(enrollment: Enrollment) -> dict:
    return {
        "reference": enrollment.reference,
        "status": enrollment.status,
        "status_label": enrollment.get_status_display(),
        "waitlist_position": enrollment.waitlist_position,
        "course_id": enrollment.course_id,
        "offer_expires_at": enrollment.offer_expires_at,
    }


def _text(value: str) -> str:
    """Query text as the database can take it (PostgreSQL rejects NUL characters; found by fuzzing)."""
    return value.replace("\x00", "")


def _courses(now=None):
    return with_seat_state(CoursePage.objects.live().public().select_related("term", "category", "venue"), now)


@api.exception_handler(NinjaValidationError)
def chinese_validation_errors(request, exc):
    """Schema errors (wrong types, missing fields, bad JSON) in the same Chinese shape as form errors."""
    errors = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query", "path")]
        field = ".".join(location) or "body"
        kind = error.get("type", "")
        if kind == "missing":
            message = "缺少此项。"
        elif kind.startswith("string_too_long"):
            message = "内容太长。"
        elif "json" in kind:
            message = "请求内容不是有效的 JSON。"
        else:
            message = "格式不正确。"
        errors.append({"field": field, "message": message})
    return api.create_response(
        request, {"code": "invalid", "message": "提交的内容有误。", "errors": errors}, status=422
    )


@api.exception_handler(HttpError)
def chinese_http_errors(request, exc):
    """Ninja's own refusals (a body that is not valid JSON: 400) in the same Chinese shape, not its English."""
    if exc.status_code == 400:
        body = {"code": "invalid_json", "message": "提交的内容不是有效的 JSON，请检查后重新提交。"}
    else:
        body = {"code": "error", "message": "请求未能处理，请稍后重试。"}
    return api.create_response(request, body, status=exc.status_code)


@api.get("/courses/", response=CourseList, summary="课程列表", tags=["课程"])
def list_courses(request: HttpRequest, filters: Query[CourseFilters]):
    courses = _courses(timezone.now())
    if filters.term:
        courses = courses.filter(term_id=filters.term)
    if filters.category:
        courses = courses.filter(category__slug=_text(filters.category))
    if filters.audience:
        courses = courses.filter(audience=filters.audience) if filters.audience in Audience.values else courses.none()
    if filters.status:
        courses = courses.filter(seat_status=filters.status) if filters.status in STATUSES else courses.none()
    courses = courses.order_by("term__starts_on", "path")
    total = courses.count()
    page = courses[filters.offset : filters.offset + filters.limit]
    return {"count": total, "items": [_course_out(c, request) for c in page]}


@api.get("/courses/{course_id}/", response={200: CourseOut, 404: ErrorOut}, summary="课程详情", tags=["课程"])
def get_course(request: HttpRequest, course_id: int):
    course = _courses().filter(pk=course_id).first() if 0 < course_id < 2**31 else None
    if course is None:
        return Status(404, {"code": "not_found", "message": "没有这门课程。"})
    return Status(200, _course_out(course, request))


@api.post(
    "/courses/{course_id}/enrollments/",
    response={
        201: EnrollmentOut,
        404: ErrorOut,
        409: ErrorOut,
        415: ErrorOut,
        422: ValidationErrorOut,
        429: ErrorOut,
        503: ErrorOut,
    },
    summary="报名",
    description=(
        "201：新报名；409：规则不允许（code 说明原因），同一学员已报过本课程时 code 为 already_enrolled"
        "（不返回原报名编号，编号已短信发送到报名手机号）；422：填写有误；415：请求体不是 JSON；"
        "503：系统繁忙（code=busy），报名未提交，请按 Retry-After 秒数后重试。"
    ),
    tags=["报名"],
)
@decorate_view(counted_by_address)
def create_enrollment(request: HttpRequest, course_id: int, payload: EnrollmentIn, response: HttpResponse):
    # The course with the rules' fields, read once: the service re-reads its seats, capacity and term under
    # its lock and checks every rule.
    course = recent_rule_course(course_id) if 0 < course_id < 2**31 else None
    if course is None or not course.live:
        return Status(404, {"code": "not_found", "message": "没有这门课程。"})
    form = EnrollmentForm(payload.dict() | {"website": ""}, course=course)
    if not form.is_valid():
        errors = [{"field": name, "message": str(messages[0])} for name, messages in form.errors.items()]
        return Status(422, {"code": "invalid", "message": "提交的内容有误。", "errors": errors})
    if not ratelimit.applicant_allowed(form.cleaned_data):
        return Status(429, {"code": "rate_limited", "message": TOO_MANY})
    try:
        outcome = enroll(course.pk, form.applicant(), source="api", course=course)
    except EnrollmentError as error:
        return _refused(error, response)
    if not outcome.created:
        return Status(409, {"code": "already_enrolled", "message": access.ALREADY_ENROLLED})
    return Status(201, _enrollment_out(outcome.enrollment))


def _find(request, reference: str, phone: str):
    """The enrollment if phone and reference match (training.services.access: compared in constant time,
    failures counted and locked out); both normalised as at enrollment (139 0000 0001, +86…, full-width)."""
    client = ratelimit.client_ip(request)
    phone = mobile_or_none(_text(phone)) or ""
    if not ratelimit.hit("lookup-ip", client) or (phone and not ratelimit.hit("lookup-phone", phone)):
        return 429, {"code": "rate_limited", "message": TOO_MANY}
    try:
        return None, access.find_own_enrollment(_text(reference), phone, client)
    except access.AccessDenied as denied:
        return (429 if denied.code == "locked" else 404), {"code": denied.code, "message": denied.message}


@api.post(
    "/enrollments/lookup/",
    response={200: EnrollmentOut, 404: ErrorOut, 415: ErrorOut, 429: ErrorOut},
    summary="查询报名（需手机号和报名编号）",
    description=(
        "手机号和报名编号放在 JSON 请求体中（不放在网址里，以免进入访问日志）。"
        "同一报名编号或同一客户端连续查询失败数次后暂时锁定（429，code 为 locked），锁定期间即使号码正确也不受理。"
    ),
    tags=["报名"],
)
def lookup_enrollment(request: HttpRequest, payload: LookupIn):
    status, found = _find(request, payload.reference, payload.phone)
    if status:
        return Status(status, found)
    return Status(200, _enrollment_out(found))


@api.post(
    "/enrollments/{reference}/cancel/",
    response={200: EnrollmentOut, 404: ErrorOut, 409: ErrorOut, 415: ErrorOut, 429: ErrorOut, 503: ErrorOut},
    summary="取消报名（需手机号）",
    description="取消后名额释放，候补第一位自动递补。手机号与报名编号的核对和失败锁定同“查询报名”。",
    tags=["报名"],
)
def cancel_enrollment(request: HttpRequest, reference: str, payload: PhoneIn, response: HttpResponse):
    status, found = _find(request, reference, payload.phone)
    if status:
        return Status(status, found)
    try:
        cancel(found.pk, by="applicant")
    except EnrollmentError as error:
        return _refused(error, response)
    found.refresh_from_db()
    return Status(200, _enrollment_out(found))
