"""What applicants are told, and when: the texts of the enrollment notices, written to the outbox.

`notify(enrollment, event, context)` is the one entry point: called inside the transaction that changed
the enrollment, it writes one outbox row per channel (SMS always, e-mail when the applicant gave an
address) with the text for the event and the enrollment's new status. Delivery, retries, the sweep and
resending belong to the `notices` app; the SMS provider is `SMS_URL` (see notices.sms).
"""

import string

from django.utils import timezone

from notices.models import register_kind_labels
from notices.services import queue
from notices.sms import SmsMessage, sms_backend

SIGNATURE = "【海宁市工人文化宫】"

MESSAGES = {
    "created:confirmed": "【海宁市工人文化宫】{participant}已成功报名“{course}”，报名编号 {reference}。请按时上课。",
    "created:waitlisted": "【海宁市工人文化宫】“{course}”名额已满，{participant}已进入候补第 {position} 位，报名编号 {reference}。有空位时将自动递补并通知您。",
    "created:submitted": "【海宁市工人文化宫】{participant}已提交“{course}”报名，报名编号 {reference}，报名截止后摇号，结果将短信通知。",
    "promoted:confirmed": "【海宁市工人文化宫】好消息：{participant}已从候补递补为正式录取“{course}”，报名编号 {reference}。",
    "cancelled:cancelled": "【海宁市工人文化宫】{participant}的“{course}”报名（编号 {reference}）已取消。",
    "offered:offered": "【海宁市工人文化宫】“{course}”有空余名额，为{participant}保留至 {deadline}。请在此之前到网站“我的报名”确认（编号 {reference}），逾期视为放弃。",
    "expired:cancelled": "【海宁市工人文化宫】{participant}未在时限内确认“{course}”的递补名额，名额已让给下一位候补者（编号 {reference}）。",
    "lottery:confirmed": "【海宁市工人文化宫】恭喜，{participant}在“{course}”摇号中中签，已录取，报名编号 {reference}。",
    "lottery:waitlisted": "【海宁市工人文化宫】“{course}”摇号结果：{participant}为候补第 {position} 位（编号 {reference}），有空位时按顺序递补并通知您。",
    "lottery:rejected": "【海宁市工人文化宫】很遗憾，{participant}在“{course}”摇号中未中签（编号 {reference}）。欢迎关注其他课程。",
    "lesson_cancelled:confirmed": "【海宁市工人文化宫】停课通知：“{course}”{lesson_date}的课停上{note}。其余课程照常，详见课程页面。",
    "lesson_moved:confirmed": "【海宁市工人文化宫】调课通知：“{course}”原{lesson_date}的课改到 {new_date}{note}，地点：{venue}。",
    "unpaid:cancelled": "【海宁市工人文化宫】{participant}报名的“{course}”未在缴费截止前缴费，名额已让给候补者（编号 {reference}）。如有疑问请拨打 12351。",
    "reminder:confirmed": "【海宁市工人文化宫】提醒：{participant}报名的“{course}”明天（{first_lesson}）开课{time}，地点：{venue}。",
}

# The kinds as staff read them in 通知记录 and on the enrollment page.
KIND_LABELS = {
    "created:confirmed": "报名成功（已录取）",
    "created:waitlisted": "报名成功（候补）",
    "created:submitted": "已提交（待摇号）",
    "promoted:confirmed": "候补递补录取",
    "cancelled:cancelled": "报名取消",
    "offered:offered": "递补名额待确认",
    "expired:cancelled": "递补逾期",
    "lottery:confirmed": "摇号中签",
    "lottery:waitlisted": "摇号候补",
    "lottery:rejected": "摇号未中签",
    "lesson_cancelled:confirmed": "停课通知",
    "lesson_moved:confirmed": "调课通知",
    "unpaid:cancelled": "逾期未缴费取消",
    "reminder:confirmed": "开课提醒",
}
register_kind_labels(KIND_LABELS)


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%m月%d日 %H:%M}" if moment else ""


# Each parameter is computed only when a template uses it (the course row is loaded with few fields under
# the lock). Event details that are not on the enrollment (lesson_date, new_date, note) come as `context`.
PARAMETERS = {
    "participant": lambda e: e.masked_participant,
    "course": lambda e: e.course.title,
    "reference": lambda e: e.reference,
    "position": lambda e: str(e.waitlist_position or ""),
    "deadline": lambda e: _local(e.offer_expires_at),
    "payment_due": lambda e: _local(e.payment_due_at),
    "first_lesson": lambda e: (
        f"{e.course.first_lesson.month}月{e.course.first_lesson.day}日" if e.course.first_lesson else ""
    ),
    "time": lambda e: f" {e.course.start_time:%H:%M}" if e.course.start_time else "",
    "venue": lambda e: str(e.course.venue) if e.course.venue_id else "见课程页面",
}


def kind_for(enrollment, event: str) -> str:
    """The notice kind, e.g. "created:confirmed"; a cancellation by the payment deadline reads as "unpaid"."""
    if event == "cancelled" and enrollment.cancelled_by == "unpaid":
        event = "unpaid"
    return f"{event}:{enrollment.status}"


def message_params(enrollment, template: str, context: dict | None = None) -> dict[str, str]:
    """The values of the placeholders `template` uses (also the SMS provider template's parameters)."""
    context = context or {}
    names = dict.fromkeys(name for _, name, _, _ in string.Formatter().parse(template) if name)
    return {
        name: str(context[name]) if name in context else PARAMETERS[name](enrollment) if name in PARAMETERS else ""
        for name in names
    }


def message_for(enrollment, event: str, context: dict | None = None) -> str | None:
    """The SMS text for `event` ("created", "lesson_moved" …) in the enrollment's current status, or None."""
    template = MESSAGES.get(kind_for(enrollment, event))
    if template is None:
        return None
    return template.format_map(message_params(enrollment, template, context))


def notify(enrollment, event: str, context: dict | None = None, *, user=None) -> list:
    """Write the notices of `event` (created, promoted, cancelled, offered, expired, lottery, reminder,
    lesson_cancelled, lesson_moved …) to the outbox, in the caller's transaction. Returns the rows written
    (none when the event says nothing for the enrollment's status)."""
    kind = kind_for(enrollment, event)
    template = MESSAGES.get(kind)
    if template is None:
        return []
    params = message_params(enrollment, template, context)
    text = template.format_map(params)
    return queue(
        kind=kind,
        about=enrollment,
        reference=enrollment.reference,
        sms=(enrollment.phone, text),
        email=(enrollment.email, f"报名通知：{enrollment.course.title}", text.removeprefix(SIGNATURE)),
        params=params,
        user=user,
    )


def queue_notice(enrollment_id: int, event: str, context: dict | None = None) -> list:
    """`notify` for an enrollment known by its id (loads it with its course)."""
    from training.models import Enrollment

    enrollment = Enrollment.objects.select_related("course", "course__venue").get(pk=enrollment_id)
    return notify(enrollment, event, context)


SIGN_IN_CODE_TEXT = (
    "【海宁市工人文化宫】您的验证码为 {code}，{minutes} 分钟内有效，用于查询“我的报名”。如非本人操作请忽略。"
)


def send_sign_in_code(phone: str, code: str, minutes: int) -> None:
    """A one-time sign-in code for 我的报名, sent at once (it is useless minutes later). Raises on failure."""
    text = SIGN_IN_CODE_TEXT.format(code=code, minutes=minutes)
    params = {"code": code, "minutes": str(minutes)}
    sms_backend().send(SmsMessage(phone=phone, text=text, template="sign_in_code", params=params))
