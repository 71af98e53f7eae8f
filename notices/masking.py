"""The phone and e-mail masks shared by notices (recipient lists, SMS logs) and training's privacy rules.

Kept here, below training, so that notices needs nothing from training: `training.services.privacy` builds
its personal-data masks on these.
"""


def mask_phone(phone: str, *, short: str = "****") -> str:
    """``138****5678``; a value under 7 characters becomes `short`, an empty one stays empty."""
    phone = phone or ""
    if len(phone) >= 7:
        return f"{phone[:3]}****{phone[-4:]}"
    return short if phone else ""


def mask_email(email: str) -> str:
    """``z***@example.cn``; a value with no ``@`` becomes ``****``, an empty one stays empty."""
    if not email or "@" not in email:
        return "****" if email else ""
    local, domain = email.rsplit("@", 1)
    return f"{local[:1]}***@{domain}"


def mask_recipient(value: str) -> str:
    """138****5678 for phone numbers, p***@example.cn for e-mail addresses (for logs and lists)."""
    if "@" in value:
        return mask_email(value)
    return mask_phone(value, short="*" * len(value))
