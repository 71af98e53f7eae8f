"""Pictures pasted from WeChat articles: imported from a (local) web server, or kept visible until resolved."""

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from PIL import Image
from wagtail.rich_text import RichText

from home.blocks import BodyBlock
from home.models import SiteImage
from home.paste_import import PUBLISHING, resolve_pasted_images

PORT = 18951  # this helper's port range; nothing listens on CLOSED_PORT
CLOSED_PORT = 18952


def _png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 22, 29)).save(output, "PNG")
    return output.getvalue()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/mmbiz_png/"):
            body, content_type = _png(), "image/png"
        elif self.path.startswith("/page"):
            body, content_type = b"<html></html>", "text/html"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def picture_server():
    server = ThreadingHTTPServer(("127.0.0.1", PORT), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{PORT}"
    server.shutdown()
    server.server_close()


def _placeholder(url, alt="运动会现场"):
    return f'<a href="{url}">〔待处理图片：{alt}〕</a>'


@pytest.mark.django_db
@override_settings(PASTE_IMPORT_ALLOW_PRIVATE_HOSTS=True)
def test_reachable_picture_is_imported_once_and_embedded_with_its_alt_text(picture_server):
    url = f"{picture_server}/mmbiz_png/abc/640?wx_fmt=png"
    source = f'<p data-block-key="a1">开幕式{_placeholder(url)}现场</p><p data-block-key="a2">第二段</p>'
    result, left = resolve_pasted_images(source)
    image = SiteImage.objects.get()
    assert left == 0
    assert result == (
        '<p data-block-key="a1">开幕式</p>'
        f'<embed alt="运动会现场" embedtype="image" format="fullwidth" id="{image.pk}"/>'
        '<p data-block-key="a1">现场</p><p data-block-key="a2">第二段</p>'
    )
    assert image.source_url == url and image.title == "运动会现场" and image.file.name.endswith(".png")
    assert (image.width, image.height) == (120, 80)
    # Saved again (or pasted into another page): the library copy is reused, not imported twice.
    again, _ = resolve_pasted_images(f"<p>{_placeholder(url)}</p>")
    assert f'id="{image.pk}"' in again and SiteImage.objects.count() == 1


@pytest.mark.django_db
@override_settings(PASTE_IMPORT_ALLOW_PRIVATE_HOSTS=True)
def test_unreachable_or_non_picture_addresses_stay_as_placeholders(picture_server):
    source = (
        f"<p>{_placeholder(f'http://127.0.0.1:{CLOSED_PORT}/mmbiz_jpg/x/640')}</p>"
        f"<p>{_placeholder(f'{picture_server}/page.html')}</p>"
        "<p>〔待处理图片：原文档中的图片，请另存后上传〕</p>"
    )
    result, left = resolve_pasted_images(source)
    assert left == 3 and result == source
    assert not SiteImage.objects.exists()


@pytest.mark.django_db
def test_private_addresses_are_not_fetched_by_default(picture_server):
    _, left = resolve_pasted_images(f"<p>{_placeholder(picture_server + '/mmbiz_png/a/640')}</p>")
    assert left == 1 and not SiteImage.objects.exists()


@pytest.mark.django_db
def test_placeholders_may_stay_in_a_draft_but_never_in_a_publish():
    block = BodyBlock.base_blocks["paragraph"]
    value = RichText(f"<p>{_placeholder(f'http://127.0.0.1:{CLOSED_PORT}/a.jpg')}</p>")
    assert "〔待处理图片" in block.clean(value).source  # saving a draft keeps it
    token = PUBLISHING.set(True)
    try:
        with pytest.raises(ValidationError, match="1 处〔待处理图片〕"):
            block.clean(value)
    finally:
        PUBLISHING.reset(token)
