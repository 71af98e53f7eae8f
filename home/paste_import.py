"""Pictures pasted from other sites: imported into the image library, or kept visible until resolved.

The admin's paste script (static/js/admin/editor-content.js) replaces every external picture in
pasted HTML by a link ``<a href="picture address">〔待处理图片：alt text〕</a>``. When rich text is
saved, ``resolve_pasted_images`` fetches each address (http/https only, public hosts only, size-capped,
must decode as a picture), stores it as a ``SiteImage`` (``source_url`` remembers the address, so a
second save or another page reuses it) and puts a Wagtail image embed with the alt text in its place.
Placeholders that cannot be imported stay in the text; ``PUBLISHING`` makes rich text refuse them when
the editor publishes or submits for review (home.wagtail_hooks sets it for page create/edit requests).
"""

import contextvars
import html
import ipaddress
import logging
import re
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile

from .uploads import normalise_image_upload

logger = logging.getLogger(__name__)

PLACEHOLDER_MARK = "〔待处理图片"
# True while the current admin request publishes, submits or approves a page.
PUBLISHING: contextvars.ContextVar[bool] = contextvars.ContextVar("haining_publishing", default=False)
# False during Wagtail's autosave (every 500 ms while typing): pictures are fetched on a real save only.
IMPORTING: contextvars.ContextVar[bool] = contextvars.ContextVar("haining_importing", default=True)

_LINKED_PLACEHOLDER = re.compile(
    r'<a\b[^>]*?\bhref="(?P<href>[^"]+)"[^>]*>\s*〔待处理图片(?:：(?P<alt>[^〕<]*))?〕\s*</a>', re.IGNORECASE
)
_PARAGRAPH = re.compile(r"<p\b(?P<attrs>[^>]*)>(?P<inner>.*?)</p>", re.DOTALL | re.IGNORECASE)
_FAILURE_TTL = 300  # seconds a failed address is not retried (live preview saves often)
_FORMATS = {"jpeg": "jpg", "jpg": "jpg", "png": "png", "gif": "gif", "webp": "webp", "heic": "heic", "avif": "avif"}


class ImportRefused(Exception):
    pass


def _check_host(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImportRefused("not http(s)")
    if getattr(settings, "PASTE_IMPORT_ALLOW_PRIVATE_HOSTS", False):
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except OSError as error:
        raise ImportRefused(f"cannot resolve: {error}") from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise ImportRefused(f"private address {address}")


def _file_name(url: str, content_type: str) -> str:
    path = urlsplit(url).path.rstrip("/")
    stem = (path.rsplit("/", 1)[-1] or "picture").rsplit(".", 1)[0][:40] or "picture"
    query_format = re.search(r"wx_fmt=(\w+)", url)  # WeChat: …/640?wx_fmt=jpeg
    kind = (query_format.group(1) if query_format else content_type.split("/")[-1]).lower()
    return f"pasted-{stem}.{_FORMATS.get(kind, 'jpg')}"


def import_external_image(url: str, alt: str = ""):
    """Return the ``SiteImage`` for ``url``: the one imported before, or a new import; None if it fails.

    Refused (None, logged): non-http(s) addresses, hosts on private networks (unless
    ``PASTE_IMPORT_ALLOW_PRIVATE_HOSTS``), redirects, non-image responses, files over
    ``WAGTAILIMAGES_MAX_UPLOAD_SIZE``, data that does not decode as a picture. A failure is remembered
    for five minutes so repeated saves do not wait again.
    """
    import requests
    from wagtail.models import Collection

    from .models import SiteImage

    existing = SiteImage.objects.filter(source_url=url).first()
    if existing is not None:
        return existing
    failure_key = f"paste-import-failed:{url}"[:250]
    if cache.get(failure_key):
        return None
    limit = settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE
    try:
        _check_host(url)
        with requests.get(
            url,
            timeout=getattr(settings, "PASTE_IMPORT_TIMEOUT", 5),
            stream=True,
            allow_redirects=False,
            headers={"User-Agent": "Mozilla/5.0 (haining image import)", "Accept": "image/*"},
        ) as response:
            content_type = response.headers.get("Content-Type", "")
            if response.status_code != 200 or not content_type.startswith("image/"):
                raise ImportRefused(f"HTTP {response.status_code} {content_type}")
            data = bytearray()
            for chunk in response.iter_content(64 * 1024):
                data.extend(chunk)
                if len(data) > limit:
                    raise ImportRefused("too large")
        upload = SimpleUploadedFile(_file_name(url, content_type), bytes(data), content_type=content_type)
        upload, animated = normalise_image_upload(upload)
        title = (alt or "粘贴的图片").strip()[:255]
        image = SiteImage(
            title=title,
            description=alt.strip()[:255],
            file=ImageFile(upload, name=upload.name),
            source_url=url,
            is_animated=animated,
            collection=Collection.get_first_root_node(),
        )
        image._set_image_file_metadata()
        image.save()
        return image
    except (ImportRefused, requests.RequestException, ValidationError, OSError, ValueError) as error:
        logger.info("pasted picture not imported: %s (%s)", url, error)
        cache.set(failure_key, True, _FAILURE_TTL)
        return None


def _embed(image, alt: str) -> str:
    return f'<embed alt="{html.escape(alt, quote=True)}" embedtype="image" format="fullwidth" id="{image.pk}"/>'


def resolve_pasted_images(source: str) -> tuple[str, int]:
    """Import the pictures behind the placeholders in rich text ``source`` (Wagtail's stored HTML).

    Returns ``(new_source, placeholders_left)``. A paragraph holding placeholders is split around each
    imported picture, since a picture is a block of its own in Wagtail's rich text.
    """
    if PLACEHOLDER_MARK not in source:
        return source, 0

    if not IMPORTING.get():
        return source, source.count(PLACEHOLDER_MARK)

    def split_paragraph(match):
        attrs, inner = match.group("attrs"), match.group("inner")
        if PLACEHOLDER_MARK not in inner:
            return match.group(0)
        pieces, last = [], 0
        for link in _LINKED_PLACEHOLDER.finditer(inner):
            url, alt = html.unescape(link.group("href")), html.unescape(link.group("alt") or "")
            image = import_external_image(url, alt)
            if image is None:
                continue
            pieces.append(("text", inner[last : link.start()]))
            pieces.append(("embed", _embed(image, alt)))
            last = link.end()
        pieces.append(("text", inner[last:]))
        output = []
        for kind, value in pieces:
            if kind == "embed":
                output.append(value)
            elif re.sub(r"<[^>]+>|\s|&nbsp;|\u00a0", "", value):
                output.append(f"<p{attrs}>{value}</p>")
        return "".join(output)

    source = _PARAGRAPH.sub(split_paragraph, source)
    return source, source.count(PLACEHOLDER_MARK)


def unresolved_message(count: int) -> str:
    return (
        f"这里还有 {count} 处〔待处理图片〕：系统没能把它从原网站导入。"
        "请把图片下载后上传到图片库，用工具栏的「图片」插入，再删除标记；然后才能发布或提交审核（草稿可以先保存）。"
    )


def reset_publishing(**kwargs) -> None:
    """Connected to ``request_started``: the flags never outlive their request."""
    PUBLISHING.set(False)
    IMPORTING.set(True)
