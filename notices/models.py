"""The outbox: one row per message and channel, written in the transaction of the change that causes it.

A row is the message itself (recipient, text, the provider template's parameters) and its delivery state.
Rows are delivered by `notices.tasks.deliver_notice` after the commit and, when that task never ran, by the
periodic sweep (`notices.services.sweep`). See notices.services for the state machine.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class Channel(models.TextChoices):
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"


class NoticeStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


# What staff read for a notice kind ("created:confirmed" → "报名成功·已录取"); the apps that send notices
# register their kinds (training.notifications). An unregistered kind is shown as its key.
KIND_LABELS: dict[str, str] = {}


def register_kind_labels(labels: dict[str, str]) -> None:
    KIND_LABELS.update(labels)


class Notice(models.Model):
    # Not in Wagtail's reference index: an outbox row is not a usage of its sender or subject, and indexing
    # queued one Celery task per notice written (one per enrollment in the opening rush).
    wagtail_reference_index_ignore = True

    kind = models.CharField(
        "通知类型",
        max_length=64,
        help_text="消息模板的键，如 created:confirmed；短信服务商的模板按它配置（SMS_TEMPLATES）",
    )
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    recipient = models.CharField("接收人", max_length=254, help_text="手机号码或电子邮箱")
    subject = models.CharField("标题", max_length=200, blank=True)
    body = models.TextField("内容")
    params = models.JSONField("模板参数", default=dict, blank=True)
    reference = models.CharField("关联编号", max_length=32, blank=True, db_index=True, help_text="如报名编号")

    # What the notice is about (an enrollment, …); generic so any app can send through the outbox.
    content_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True, editable=False)
    object_id = models.CharField(max_length=64, blank=True, editable=False)
    about = GenericForeignKey("content_type", "object_id")

    status = models.CharField(
        "状态", max_length=8, choices=NoticeStatus.choices, default=NoticeStatus.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    provider_id = models.CharField("服务商回执", max_length=100, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    next_attempt_at = models.DateTimeField("下次发送时间", default=timezone.now)
    claimed_at = models.DateTimeField("开始发送时间", null=True, blank=True, editable=False)
    claim_token = models.CharField(max_length=64, blank=True, editable=False)
    sent_at = models.DateTimeField("发送成功时间", null=True, blank=True)
    resend_of = models.ForeignKey(
        "self", verbose_name="重发自", on_delete=models.SET_NULL, null=True, blank=True, related_name="resends"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知记录"
        ordering = ["-created_at", "-pk"]
        permissions = [("resend_notice", "可以重发通知")]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="notice_about_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="notice_due_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.kind_label} {self.reference}".strip()

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def masked_recipient(self) -> str:
        from notices.masking import mask_recipient

        return mask_recipient(self.recipient)
