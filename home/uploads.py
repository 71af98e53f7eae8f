"""Uploads as editors really make them: phone photos, long Chinese file names, WPS/OFD files, tags.

- ``SiteFileStorage``: stored names keep Chinese and CJK punctuation (〔2026〕12号《…》) and fit the
  255-byte limit of one path component on Linux file systems (ext4, XFS), extension kept.
- ``normalise_image_upload``: HEIC/HEIF and CMYK pictures become sRGB JPEG on upload; animated GIFs
  are kept as uploaded (flagged ``is_animated`` so templates serve them without re-encoding).
- ``parse_tags``: 健步走，全民健身 is two tags.
"""

import io
import mimetypes
import os
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat

MAX_NAME_BYTES = 255  # one path component (NAME_MAX) on ext4/XFS
COLLISION_SUFFIX_BYTES = 8  # Django appends "_" + 7 random characters when a name is taken
_FORBIDDEN = re.compile(r'[/\\:*?"<>|\x00]')
_TAG_SEPARATORS = re.compile(r"[,，、;；]")

# MIME types the system's table lacks (served with Content-Disposition: attachment by Wagtail).
EXTRA_MIME_TYPES = {
    ".ofd": "application/ofd",
    ".wps": "application/vnd.ms-works",
    ".et": "application/vnd.ms-excel",
    ".dps": "application/vnd.ms-powerpoint",
    ".rar": "application/vnd.rar",
    ".7z": "application/x-7z-compressed",
    ".heic": "image/heic",
    ".heif": "image/heif",
}


def register_mime_types() -> None:
    for extension, mime_type in EXTRA_MIME_TYPES.items():
        mimetypes.add_type(mime_type, extension)


def clean_filename(name: str) -> str:
    """A file name safe on disk that keeps Chinese, full-width brackets and other CJK punctuation.

    Removes path separators, characters Windows refuses (``:*?"<>|``) and invisible control/format
    characters (U+202E and zero-width ones included); whitespace runs (U+3000 too) become ``_``.
    """
    name = unicodedata.normalize("NFC", str(name))
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = _FORBIDDEN.sub("", name)
    name = re.sub(r"\s+", "_", name.strip()).lstrip(".-_")
    return name or "file"


def fit_bytes(name: str, limit: int = MAX_NAME_BYTES) -> str:
    """Shorten ``name`` to at most ``limit`` bytes of UTF-8, keeping its extension and whole characters."""
    if len(name.encode()) <= limit:
        return name
    stem, ext = os.path.splitext(name)
    if len(ext.encode()) > 16:  # not a real extension
        stem, ext = name, ""
    budget = limit - len(ext.encode())
    encoded = stem.encode()[:budget]
    return encoded.decode("utf-8", errors="ignore").rstrip("_") + ext


class SiteFileStorage(FileSystemStorage):
    """Local media storage whose names keep CJK text and never exceed 255 bytes (never a 500)."""

    def get_valid_name(self, name):
        return clean_filename(name)

    def get_available_name(self, name, max_length=None):
        dirname, basename = os.path.split(name)
        basename = fit_bytes(basename, MAX_NAME_BYTES - COLLISION_SUFFIX_BYTES)
        return super().get_available_name(os.path.join(dirname, basename), max_length=max_length)


def parse_tags(tagstring: str) -> list[str]:
    """taggit's parser, plus full-width commas, 、 and semicolons as separators; duplicates dropped."""
    from taggit.utils import _parse_tags

    tags: list[str] = []
    for tag in _parse_tags(tagstring or ""):
        for part in _TAG_SEPARATORS.split(tag):
            part = part.strip()
            if part and part not in tags:
                tags.append(part)
    return sorted(tags)


def normalise_image_upload(uploaded) -> tuple[object, bool]:
    """Return ``(file, is_animated)`` for an uploaded picture.

    HEIC/HEIF (iPhone) and CMYK (print designers' JPEGs) are converted to an sRGB JPEG named after the
    original; the embedded ICC profile is used when there is one. Animated GIFs are returned unchanged
    and flagged; over ``ANIMATED_GIF_MAX_UPLOAD_SIZE`` they are refused (ValidationError, Chinese).
    Everything else is returned unchanged.
    """
    from PIL import Image, ImageCms, ImageOps
    from pillow_heif import register_heif_opener

    register_heif_opener()
    uploaded.seek(0)
    with Image.open(uploaded) as image:
        image_format = (image.format or "").upper()
        if image_format == "GIF" and getattr(image, "n_frames", 1) > 1:
            limit = settings.ANIMATED_GIF_MAX_UPLOAD_SIZE
            if uploaded.size > limit:
                raise ValidationError(
                    "这张动图有 %(size)s，超过 %(limit)s：手机打开会很慢。请压缩（减少帧数或尺寸）后再上传。",
                    code="animation_too_large",
                    params={"size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)},
                )
            uploaded.seek(0)
            return uploaded, True
        if image_format not in ("HEIF", "HEIC", "AVIF") and image.mode != "CMYK":
            uploaded.seek(0)
            return uploaded, False
        icc = image.info.get("icc_profile")
        image = ImageOps.exif_transpose(image)
        if icc:
            try:
                image = ImageCms.profileToProfile(
                    image, ImageCms.ImageCmsProfile(io.BytesIO(icc)), ImageCms.createProfile("sRGB"), outputMode="RGB"
                )
            except (ImageCms.PyCMSError, OSError):
                image = image.convert("RGB")
        else:
            image = image.convert("RGB")
        output = io.BytesIO()
        image.save(output, "JPEG", quality=90, optimize=True)
    stem = os.path.splitext(os.path.basename(uploaded.name or "photo"))[0]
    return SimpleUploadedFile(f"{stem}.jpg", output.getvalue(), content_type="image/jpeg"), False
