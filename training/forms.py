"""The public enrollment form: validates and normalises what people type; the rules are in services.

The applicant fields (MobileField, PersonNameField, FreeTextField, IdNumberField) wrap
training.services.identity, so every form that takes a person's details (the public form, 我的报名,
the staff's counter enrollment) checks and normalises them the same way.
"""

import re

from django import forms
from django.core.exceptions import ValidationError

from training.services import identity
from training.services.enrollment import Applicant

# What a person may type before normalising (spaces, +86, dashes, full-width characters); a field with a
# longer max_length (工作单位: 80) takes twice that.
RAW_INPUT_LIMIT = 64


class _NormalisedField(forms.CharField):
    """A CharField whose value is checked and normalised by a function of training.services.identity;
    ``max_length`` (when given) applies to the normalised value."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return self.empty_value
        if len(value) > max(RAW_INPUT_LIMIT, 2 * (self.max_length or 0)):
            raise ValidationError(f"{self.noun}太长了。", code="max_length")
        return self.normalise(value)

    @property
    def noun(self) -> str:
        return re.sub(r"（[^）]*）", "", str(self.label or ""))

    def normalise(self, value: str) -> str:
        raise NotImplementedError


class MobileField(_NormalisedField):
    """A mainland mobile number → its 11 digits (identity.normalize_mobile)."""

    def __init__(self, **kwargs):
        attrs = {"type": "tel", "inputmode": "tel", "autocomplete": "tel", "maxlength": "30"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def normalise(self, value):
        return identity.normalize_mobile(value)


class IdNumberField(_NormalisedField):
    """An 18-character ID number (居民身份证, 港澳台居民居住证, 外国人永久居留身份证) → its ASCII form."""

    def __init__(self, **kwargs):
        attrs = {"autocomplete": "off", "spellcheck": "false", "maxlength": "30"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def normalise(self, value):
        return identity.parse_id_number(value).number


class PersonNameField(_NormalisedField):
    """A person's name (identity.clean_person_name): ·, •, ． and characters such as 𠮷 are kept."""

    def normalise(self, value):
        return identity.clean_person_name(value, self.noun)


class FreeTextField(_NormalisedField):
    """Short free text such as 工作单位 (identity.clean_free_text)."""

    def normalise(self, value):
        return identity.clean_free_text(value, self.noun)


class ReferenceField(_NormalisedField):
    """An enrollment reference as typed (lowercase, full-width, spaces) → ``"ABCD2345"``."""

    def normalise(self, value):
        reference = identity.normalize_reference(value)
        if reference is None:
            raise ValidationError("报名编号不正确：请填写报名成功后页面或短信中的 8 位编号。", code="reference")
        return reference


class EnrollmentForm(forms.Form):
    applicant_name = PersonNameField(label="报名人（家长/本人）姓名", max_length=30)
    phone = MobileField(label="手机号码", help_text="报名结果和通知通过短信发送，请填写手机号码")
    email = forms.EmailField(
        label="电子邮箱（选填）",
        required=False,
        max_length=254,  # the column's length (Django's form field alone would take 320)
        error_messages={"invalid": "请填写正确的电子邮箱，或留空。"},
    )
    participant_name = PersonNameField(label="学员姓名", max_length=30)
    id_number = IdNumberField(
        label="学员身份证号",
        help_text="18 位居民身份证号，也可填写港澳台居民居住证或外国人永久居留身份证号码；用于核对年龄，页面和名单中只显示部分号码",
    )
    employer = FreeTextField(label="工作单位", max_length=80, required=False)
    union_member = forms.BooleanField(label="本人是工会会员", required=False)
    consent = forms.BooleanField(
        required=False,  # checked in clean_consent with a clear message
        label="我已阅读并同意《个人信息保护告知》：所填信息仅用于本次报名、上课联系和统计，学期结束后按规定删除或匿名化。",
    )
    # Honeypot: hidden from people (CSS and aria-hidden); bots fill every field.
    website = forms.CharField(
        label="请勿填写", required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )

    def __init__(self, *args, course=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        if course is not None and course.requires_employer:
            self.fields["employer"].required = True
        if course is not None and course.audience == "adults":
            self.fields["applicant_name"].label = "报名人姓名"
            self.fields["participant_name"].label = "学员姓名（本人）"
            self.fields["id_number"].label = "身份证号"
        for field in self.fields.values():
            field.error_messages["required"] = f"请填写{field.label.split('（')[0]}。"
            field.error_messages["max_length"] = f"{field.label.split('（')[0]}太长了。"
        self.fields["email"].error_messages["invalid"] = "请填写正确的电子邮箱，或留空。"

    def clean_consent(self):
        if not self.cleaned_data.get("consent"):
            raise forms.ValidationError("请阅读并同意个人信息保护告知。")
        return True

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError("提交未成功，请刷新页面后重试。")
        return ""

    def applicant(self) -> Applicant:
        data = self.cleaned_data
        document = identity.parse_id_number(data["id_number"])
        return Applicant(
            applicant_name=data["applicant_name"],
            phone=data["phone"],
            participant_name=data["participant_name"],
            id_number=document.number,
            document_type=document.document_type,
            birth_date=document.birth_date,
            gender=document.gender,
            consent=data["consent"],
            email=data.get("email", ""),
            employer=data.get("employer", ""),
            union_member=data.get("union_member", False),
        )


class LookupForm(forms.Form):
    """我的报名, cancel and offer acceptance: the phone used to enroll and the reference."""

    phone = MobileField(label="报名时填写的手机号码")
    reference = ReferenceField(label="报名编号", help_text="报名成功后页面和短信中的 8 位编号")

    @staticmethod
    def normalise_phone(value: str) -> str:
        """For look-ups: the 11 digits, or "" when the text cannot be a mobile number (matches nothing)."""
        return identity.mobile_or_none(value or "") or ""


class SmsPhoneForm(forms.Form):
    """我的报名 by SMS, step 1: the phone to send a one-time code to."""

    prefix = "sms"

    phone = forms.CharField(
        label="手机号码",
        max_length=RAW_INPUT_LIMIT,  # as typed or pasted (+86, spaces, invisible marks): checked after normalising
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": "请填写手机号码。"},
    )

    def clean_phone(self):
        phone = LookupForm.normalise_phone(self.cleaned_data["phone"])
        if not (len(phone) == 11 and phone.isascii() and phone.isdigit() and phone.startswith("1")):
            raise forms.ValidationError("请填写正确的 11 位手机号码。")
        return phone


class SmsCodeForm(SmsPhoneForm):
    """Step 2: the phone again (prefilled) and the 6-digit code."""

    prefix = "code"

    code = forms.CharField(
        label="短信验证码",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={"required": "请填写短信验证码。", "min_length": "验证码为 6 位数字。"},
    )
