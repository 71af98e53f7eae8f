"""Messages to applicants: email and SMS. The SMS provider is a setting (`TRAINING_SMS_BACKEND`).

Development and tests use the console/log backend; a provider's backend implements `send(phone, text)`
and raises on failure so the Celery task retries.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("training.sms")

DEFAULT_SMS_BACKEND = "training.notifications.LogSmsBackend"


class LogSmsBackend:
    """Writes the message to the log instead of sending it."""

    sent: list[tuple[str, str]] = []  # kept in memory for tests and the development console

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)
        self.sent.append((phone, text))


def sms_backend():
    return import_string(getattr(settings, "TRAINING_SMS_BACKEND", DEFAULT_SMS_BACKEND))()


MESSAGES = {
    "created:confirmed": "【海宁市工人文化宫】{participant}已成功报名“{course}”，报名编号 {reference}。请按时上课。",
    "created:waitlisted": "【海宁市工人文化宫】“{course}”名额已满，{participant}已进入候补第 {position} 位，报名编号 {reference}。有空位时将自动递补并通知您。",
    "created:submitted": "【海宁市工人文化宫】{participant}已提交“{course}”报名，报名编号 {reference}，报名截止后摇号，结果将短信通知。",
    "promoted:confirmed": "【海宁市工人文化宫】好消息：{participant}已从候补递补为正式录取“{course}”，报名编号 {reference}。",
    "cancelled:cancelled": "【海宁市工人文化宫】{participant}的“{course}”报名（编号 {reference}）已取消。",
}


def message_for(enrollment, event: str) -> str | None:
    template = MESSAGES.get(f"{event}:{enrollment.status}")
    if template is None:
        return None
    return template.format(
        participant=enrollment.masked_participant,
        course=enrollment.course.title,
        reference=enrollment.reference,
        position=enrollment.waitlist_position or "",
    )
