"""System checks: the SMS setting parses, and a deployment does not silently only log its text messages."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register()
def sms_url_parses(app_configs=None, **kwargs):
    from notices.sms import sms_backend

    try:
        sms_backend()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="notices.E001")]
    return []


@checks.register(checks.Tags.security, deploy=True)
def sms_provider_configured(app_configs=None, **kwargs):
    if not getattr(settings, "SMS_URL", ""):
        return [
            checks.Warning(
                "SMS_URL is not set: text messages to applicants are only written to the log.",
                hint="Set SMS_URL=aliyun://… or tencent://… and SMS_TEMPLATES (see README, 通知与短信).",
                id="notices.W001",
            )
        ]
    return []
