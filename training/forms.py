"""The public enrollment form: validates and normalises what people type; the rules are in services."""

import phonenumbers
from django import forms
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from training.services.enrollment import Applicant


class EnrollmentForm(forms.Form):
    applicant_name = forms.CharField(label="报名人（家长/本人）姓名", max_length=30)
    phone = forms.CharField(
        label="手机号码",
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label="电子邮箱（选填）", required=False, error_messages={"invalid": "请填写正确的电子邮箱，或留空。"}
    )
    participant_name = forms.CharField(label="学员姓名", max_length=30)
    id_number = forms.CharField(
        label="学员身份证号",
        max_length=22,
        help_text="18 位居民身份证号，用于核对年龄，页面和名单中只显示部分号码",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    employer = forms.CharField(label="工作单位", max_length=80, required=False)
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

    def _clean_name(self, key):
        value = " ".join(self.cleaned_data[key].split())
        if any(ch.isdigit() for ch in value) or len(value) < 2:
            raise forms.ValidationError("请填写真实姓名。")
        return value

    def clean_applicant_name(self):
        return self._clean_name("applicant_name")

    def clean_participant_name(self):
        return self._clean_name("participant_name")

    def clean_phone(self):
        raw = self.cleaned_data["phone"].replace(" ", "").replace("-", "")
        try:
            number = phonenumbers.parse(raw, "CN")
        except phonenumbers.NumberParseException:
            raise forms.ValidationError("请填写正确的 11 位手机号码。") from None
        if (
            number.country_code != 86
            or phonenumbers.number_type(number)
            not in (
                phonenumbers.PhoneNumberType.MOBILE,
                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
            )
            or not phonenumbers.is_valid_number(number)
        ):
            raise forms.ValidationError("请填写正确的 11 位手机号码。")
        return str(number.national_number)

    def clean_id_number(self):
        raw = self.cleaned_data["id_number"].strip().upper().replace(" ", "")
        try:
            number = ric.validate(raw)
        except StdnumError:
            raise forms.ValidationError("身份证号不正确，请核对后重新填写（18 位，最后一位可能是 X）。") from None
        if len(number) != 18:
            raise forms.ValidationError("请填写 18 位身份证号。")
        return number

    def applicant(self) -> Applicant:
        data = self.cleaned_data
        number = data["id_number"]
        return Applicant(
            applicant_name=data["applicant_name"],
            phone=data["phone"],
            participant_name=data["participant_name"],
            id_number=number,
            birth_date=ric.get_birth_date(number),
            gender="M" if int(number[16]) % 2 else "F",
            consent=data["consent"],
            email=data.get("email", ""),
            employer=data.get("employer", ""),
            union_member=data.get("union_member", False),
        )


class LookupForm(forms.Form):
    phone = forms.CharField(
        label="报名时填写的手机号码", max_length=20, widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"})
    )
    reference = forms.CharField(label="报名编号", max_length=12, help_text="报名成功后页面和短信中的 8 位编号")

    @staticmethod
    def normalise_phone(value: str) -> str:
        return (value or "").replace(" ", "").replace("-", "").replace("\x00", "").removeprefix("+86")[:20]

    def clean_phone(self):
        return self.normalise_phone(self.cleaned_data["phone"])

    def clean_reference(self):
        return self.cleaned_data["reference"].strip().upper()


class SmsPhoneForm(forms.Form):
    """我的报名 by SMS, step 1: the phone to send a one-time code to."""

    prefix = "sms"

    phone = forms.CharField(
        label="手机号码",
        max_length=20,
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
