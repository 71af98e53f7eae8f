"""Messages to applicants: email and SMS. The SMS provider is a setting (`TRAINING_SMS_BACKEND`).

Development and tests use the console/log backend; a provider's backend implements `send(phone, text)`
and raises on failure so the Celery task retries.
"""

import logging

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from training.services.privacy import mask_phone

logger = logging.getLogger("training.sms")

DEFAULT_SMS_BACKEND = "training.notifications.LogSmsBackend"


class LogSmsBackend:
    """Writes the message to the log instead of sending it."""

    sent: list[tuple[str, str]] = []  # kept in memory for tests and the development console

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)
        self.sent.append((phone, text))


def sms_backend():
    return import_string(getattr(settings, "TRAINING_SMS_BACKEND", DEFAULT_SMS_BACKEND))()


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


def message_for(enrollment, event: str, context: dict | None = None) -> str | None:
    """The SMS text for `event` ("created", "lesson_moved" …) in the enrollment's current status, or None.

    `context` adds event details that are not on the enrollment (lesson notices: lesson_date, new_date, note).
    A cancellation by the payment deadline reads as the "unpaid" notice.
    """
    if event == "cancelled" and enrollment.cancelled_by == "unpaid":
        event = "unpaid"
    template = MESSAGES.get(f"{event}:{enrollment.status}")
    if template is None:
        return None
    course = enrollment.course
    deadline = ""
    if enrollment.offer_expires_at:
        deadline = f"{timezone.localtime(enrollment.offer_expires_at):%m月%d日 %H:%M}"
    return template.format(
        participant=enrollment.masked_participant,
        course=course.title,
        reference=enrollment.reference,
        position=enrollment.waitlist_position or "",
        deadline=deadline,
        first_lesson=f"{course.first_lesson.month}月{course.first_lesson.day}日" if course.first_lesson else "",
        time=f" {course.start_time:%H:%M}" if course.start_time else "",
        venue=str(course.venue) if course.venue_id else "见课程页面",
        payment_due=f"{timezone.localtime(enrollment.payment_due_at):%m月%d日 %H:%M}"
        if enrollment.payment_due_at
        else "",
        **{"lesson_date": "", "new_date": "", "note": "", **(context or {})},
    )


def queue_notice(enrollment_id: int, event: str, context: dict | None = None) -> None:
    """Send the notice after the surrounding transaction commits; a broker outage is logged, never raised."""
    from django.db import transaction

    from training.tasks import send_enrollment_notice

    def send():
        try:
            send_enrollment_notice.delay(enrollment_id, event, context)
        except Exception:
            logger.exception("Could not queue the %s notice for enrollment %s", event, enrollment_id)

    transaction.on_commit(send)


SIGN_IN_CODE_TEXT = (
    "【海宁市工人文化宫】您的验证码为 {code}，{minutes} 分钟内有效，用于查询“我的报名”。如非本人操作请忽略。"
)


def send_sign_in_code(phone: str, code: str, minutes: int) -> None:
    """A one-time sign-in code for 我的报名, sent at once (it is useless minutes later). Raises on failure."""
    sms_backend().send(phone, SIGN_IN_CODE_TEXT.format(code=code, minutes=minutes))
