"""Admin upload forms for images and documents (settings WAGTAILIMAGES_IMAGE_FORM_BASE and
WAGTAILDOCS_DOCUMENT_FORM_BASE)."""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm

from .uploads import normalise_image_upload


class SiteImageForm(BaseImageForm):
    """Wagtail's image form; uploads are normalised (HEIC/CMYK → sRGB JPEG, animated GIFs flagged)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if field is not None:
            field.help_text = (
                f"支持 JPG、PNG、GIF（动图）、WebP、AVIF 和苹果手机的 HEIC 照片（自动转为 JPG）；"
                f"单张不超过 {filesizeformat(settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE)}，"
                f"动图不超过 {filesizeformat(settings.ANIMATED_GIF_MAX_UPLOAD_SIZE)}。"
            )

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if isinstance(uploaded, UploadedFile):
            uploaded, self.instance.is_animated = normalise_image_upload(uploaded)
            self.instance._file_replaced = self.instance.pk is not None
        return uploaded


class SiteDocumentForm(BaseDocumentForm):
    """Wagtail's document form with one clear message per bad file and the limits stated."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if field is not None:
            field.help_text = (
                f"支持 PDF、OFD、Word/WPS 文字、Excel/WPS 表格、PPT/WPS 演示、压缩包（ZIP、RAR、7z）和 MP4 视频；"
                f"单个文件不超过 {filesizeformat(settings.WAGTAILDOCS_MAX_UPLOAD_SIZE)}。"
            )

    def _post_clean(self):
        # An over-size file never reaches the instance, so the model's extension check would add a
        # second, false "extension not allowed" error: keep the form field's own message alone.
        field_errors = list(self.errors.get("file", []))
        super()._post_clean()
        if field_errors:
            self._errors["file"] = self.error_class(field_errors)
