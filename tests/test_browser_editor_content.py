"""Editors' content as it really arrives, in headless Chromium, as the editor and reviewer groups (no superuser).

- Pasting saved clipboard HTML shaped like a WeChat article and a WPS 通知 into 正文: what survives,
  what becomes a 〔待处理图片〕 placeholder, what the editor is told; a picture the server can reach
  (a local web server on this helper's port) is imported on save; submitting with placeholders left
  is refused.
- Uploads: an iPhone HEIC, an animated GIF, a 20 MB camera photo and an OFD file.
- A 通知 with 红头, centred title, indent and right-aligned 落款 set from the editor's toolbar, a table
  pasted from WPS 表格 with merged cells, a bilibili video and an uploaded MP4: published by the
  reviewer, then looked at on the public site at 390 and 1280 px (screenshots, axe).
"""

import io
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

REPO = Path(__file__).resolve().parent.parent
CLIPBOARD = REPO / "tests" / "fixtures" / "clipboard"
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", REPO / "var" / "screenshots" / "editor"))
PICTURE_PORT = 18961
STYLES = {"红头": "red-head", "居中": "align-center", "缩进": "indent", "居右": "align-right"}
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASTE_JS = """([selector, html, text]) => {
    const target = document.querySelectorAll(selector)[document.querySelectorAll(selector).length - 1];
    target.focus();
    const data = new DataTransfer();
    data.setData('text/html', html);
    data.setData('text/plain', text);
    target.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
}"""


def _png(size=(800, 600), color=(200, 22, 29)) -> bytes:
    from PIL import Image

    output = io.BytesIO()
    Image.new("RGB", size, color).save(output, "PNG")
    return output.getvalue()


class _Pictures(BaseHTTPRequestHandler):
    def do_GET(self):
        body = _png()
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def picture_server():
    server = ThreadingHTTPServer(("127.0.0.1", PICTURE_PORT), _Pictures)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{PICTURE_PORT}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def newsroom(live_server, settings):
    """A site with a news index, and the demo's editor and reviewer in the real groups."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from wagtail.models import Site

    from haining.testing import ensure_wagtail_base_rows
    from home.tests.factories import HomePageFactory, NewsCategoryFactory, NewsIndexPageFactory

    settings.PASTE_IMPORT_ALLOW_PRIVATE_HOSTS = True  # the "remote" picture server is on loopback here
    # Wagtail 8 autosaves every 500 ms; its requests race the test's own saves on the in-memory SQLite
    # database (table locks). What is tested here is an editor's explicit save, submit and publish.
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    root = ensure_wagtail_base_rows()
    home = HomePageFactory(parent=root, title="海宁市总工会", slug="home-editor")
    Site.objects.all().delete()
    Site.objects.create(
        hostname="localhost",
        port=live_server.thread.port,
        root_page=home,
        is_default_site=True,
        site_name="海宁市总工会",
    )
    index = NewsIndexPageFactory(parent=home)
    NewsCategoryFactory(name="通知公告", slug="notices")
    users = {}
    User = get_user_model()
    for username, group in (("bianji", "内容编辑"), ("shenhe", "内容审核")):
        user = User.objects.create_user(username, password="haining-demo-2026")
        user.groups.add(Group.objects.get(name=group))
        assert not user.is_superuser
        users[username] = user
    return {"url": live_server.url.replace("127.0.0.1", "localhost"), "index": index, "users": users}


def _logged_in(browser, newsroom, username, viewport="desktop"):
    from django.test import Client

    client = Client()
    client.force_login(newsroom["users"][username])
    phone = viewport == "phone"
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], is_mobile=phone, has_touch=phone, device_scale_factor=1, locale="zh-CN"
    )
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": newsroom["url"]}])
    context.set_default_timeout(60_000)
    return context


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _add_block(page, label):
    """Append a block to the 正文 StreamField through its "+" menu."""
    page.locator("[data-contentpath='body'] button.c-sf-add-button").last.click()
    page.get_by_role("option", name=label, exact=True).click()


def test_paste_wechat_article_and_wps_notice_as_editor(browser, newsroom, picture_server):
    from home.models import NewsPage, SiteImage

    wechat = (
        (CLIPBOARD / "wechat_article.html")
        .read_text()
        .replace("{{IMPORTABLE_IMAGE}}", f"{picture_server}/mmbiz_png/Xq2fGzYbN3aHc3/640?wx_fmt=png")
    )
    wps = (CLIPBOARD / "wps_notice.html").read_text()
    context = _logged_in(browser, newsroom, "bianji")
    page = context.new_page()
    page.goto(f"{newsroom['url']}/admin/pages/add/home/newspage/{newsroom['index'].pk}/")
    page.fill("#id_title", "职工健步走活动举行")

    _add_block(page, "正文")
    editor = "[data-contentpath='body'] .public-DraftEditor-content"
    page.locator(editor).last.click()
    page.evaluate(PASTE_JS, [editor, wechat, "健步走"])
    report = page.locator(".paste-report").last
    report.wait_for()
    told = report.inner_text()
    assert "微信公众号文章" in told
    assert "3 张外部图片已换成〔待处理图片〕标记" in told
    assert "颜色、字号" in told
    blocks = page.locator(editor).last.locator("[data-block='true']").all_inner_texts()
    # Headline and dateline stay separate paragraphs; spaces and full-width punctuation survive.
    assert blocks[0] == "“健步走，全民健身”职工健步走活动举行"
    assert blocks[1] == "海宁市总工会\u00a0\u00a0\u00a02026年11月28日\u00a009:30"
    assert "〔待处理图片：健步走队伍出发〕" in blocks
    assert "（一）路线：鹃湖公园南门\u00a0\u00a0→\u00a0\u00a0文苑路\u00a0\u00a0→\u00a0\u00a0市民广场；" in blocks
    assert any("1200余名" in b for b in blocks)
    _shot(page, "paste-wechat-editor")

    _add_block(page, "正文")
    page.locator(editor).last.click()
    page.evaluate(PASTE_JS, [editor, wps, "海宁市总工会文件"])
    report = page.locator(".paste-report").last
    report.wait_for()
    told = report.inner_text()
    assert "WPS/Word 文档" in told
    assert "1 张原文档中的图片无法随粘贴带过来" in told
    assert "1 个表格已按行转成段落" in told
    wps_blocks = page.locator(editor).last.locator("[data-block='true']").all_inner_texts()
    assert "海工〔2026〕12号" in wps_blocks
    assert "1 ｜ 海洲街道总工会 ｜ 96.5" in wps_blocks  # never "96.52"
    assert any("8:30\u00a0\u00a0\u00a0\u00a0报到" in b for b in wps_blocks)
    _shot(page, "paste-wps-editor")

    # Draftail writes its content into the form 250 ms after the last change (stateSaveInterval); a
    # person moves to the button slower than that, a script must wait for it.
    page.wait_for_function(
        """() => [...document.querySelectorAll("[data-contentpath='body'] input[type=hidden]")]
            .some((input) => input.value.includes('海工〔2026〕12号'))"""
    )
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url("**/edit/")
    page.wait_for_load_state("networkidle")
    news = NewsPage.objects.get(title="职工健步走活动举行")
    draft = news.get_latest_revision_as_object()
    body = list(draft.body.raw_data)
    source = "".join(block["value"] for block in body if block["type"] == "paragraph")
    imported = SiteImage.objects.get(source_url__startswith=picture_server)
    assert imported.title == "颁奖现场"
    assert f'id="{imported.pk}"' in source and 'alt="颁奖现场"' in source
    assert source.count("〔待处理图片") == 3  # two unreachable WeChat pictures, one left in the WPS file
    # The imported picture is a picture in the editor now (a rendition from our own library).
    picture = page.locator(f"{editor} .MediaBlock img")
    picture.first.wait_for()
    assert picture.count() == 1 and "/media/images/" in picture.get_attribute("src")

    # Submitting for review with placeholders left is refused, and the draft stays as it was.
    page.evaluate("document.querySelector('button[name=\"action-submit\"]').click()")
    # The refusal comes with the re-rendered edit page: wait for it (networkidle can answer for the old page,
    # before the POST's navigation has begun, on a loaded machine).
    page.get_by_text("处〔待处理图片〕").first.wait_for(state="visible")
    page.wait_for_load_state("networkidle")
    _shot(page, "paste-submit-refused")
    assert page.get_by_text("处〔待处理图片〕").first.is_visible()
    news.refresh_from_db()
    assert news.current_workflow_state is None
    assert list(news.get_latest_revision_as_object().body.raw_data) == body
    context.close()


def _camera_photo(min_bytes=20 * 1024 * 1024) -> bytes:
    """A JPEG of 20 MB or more, like an ordinary camera photo (noise compresses as badly as detail)."""
    from PIL import Image

    width, height = 4600, 3450
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    output = io.BytesIO()
    image.save(output, "JPEG", quality=97)
    data = output.getvalue()
    assert len(data) >= min_bytes, len(data)
    return data


def _heic() -> bytes:
    from PIL import Image
    from pillow_heif import register_heif_opener

    register_heif_opener()
    output = io.BytesIO()
    Image.new("RGB", (1200, 900), (30, 120, 200)).save(output, "HEIF", quality=80)
    return output.getvalue()


def _gif() -> bytes:
    from PIL import Image

    frames = [Image.new("RGB", (160, 90), color) for color in ((200, 22, 29), (26, 127, 55), (184, 134, 11))]
    output = io.BytesIO()
    frames[0].save(output, "GIF", save_all=True, append_images=frames[1:], duration=300, loop=0)
    return output.getvalue()


@pytest.fixture
def renditions_left_to_the_worker():
    """Tests run background tasks inline; here the renditions of a 20 MB photo would hold the upload
    request for a minute. Their making is tested in home/tests/test_renditions.py and bench/."""
    from django.db.models.signals import post_save

    from home.models import SiteImage
    from home.signals import enqueue_renditions

    post_save.disconnect(sender=SiteImage, dispatch_uid="home-image-renditions")
    yield
    post_save.connect(enqueue_renditions, sender=SiteImage, dispatch_uid="home-image-renditions")


def test_editor_uploads_heic_gif_camera_photo_and_ofd(browser, newsroom, renditions_left_to_the_worker):
    from wagtail.documents import get_document_model

    from home.models import SiteImage

    context = _logged_in(browser, newsroom, "bianji")
    page = context.new_page()
    page.goto(f"{newsroom['url']}/admin/images/multiple/add/")
    assert page.get_by_text("HEIC").first.is_visible()
    files = [
        {"name": "IMG_4821.HEIC", "mimeType": "image/heic", "buffer": _heic()},
        {"name": "健步走动图.gif", "mimeType": "image/gif", "buffer": _gif()},
        {"name": "DSC_0042.JPG", "mimeType": "image/jpeg", "buffer": _camera_photo()},
    ]
    page.locator("input[type=file]").set_input_files(files)
    # A function, not an expression string: Playwright evaluates a bare expression with eval(), which the
    # admin's Content-Security-Policy refuses.
    page.wait_for_function(
        "() => document.querySelectorAll('#upload-list li.upload-success').length === 3", timeout=300_000
    )
    _shot(page, "upload-images")
    images = {image.title: image for image in SiteImage.objects.all()}
    assert images["IMG_4821"].file.name.endswith(".jpg")
    assert images["健步走动图"].is_animated
    assert images["DSC_0042"].file_size >= 20 * 1024 * 1024
    assert all(image.uploaded_by_user.username == "bianji" for image in images.values())

    page.goto(f"{newsroom['url']}/admin/documents/multiple/add/")
    name = "关于印发〔2026〕12号《海宁市总工会2026年度职工技能竞赛实施方案》的通知（含附件：报名表、评分细则、名额分配表）.ofd"
    page.locator("input[type=file]").set_input_files(
        [{"name": name, "mimeType": "application/ofd", "buffer": b"PK\x03\x04ofd"}]
    )
    page.wait_for_function(
        "() => document.querySelectorAll('#upload-list li.upload-success').length === 1", timeout=120_000
    )
    _shot(page, "upload-ofd")
    document = get_document_model().objects.get()
    assert "〔2026〕12号《海宁市总工会" in document.file.name and document.file.name.endswith(".ofd")
    assert len(os.path.basename(document.file.name).encode()) <= 255
    context.close()


def test_reviewer_publishes_notice_with_table_and_videos(browser, newsroom):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    from home.models import NewsPage, SiteImage

    # The MP4 and its poster are already in the library (uploaded as in the test above).
    poster = SiteImage.objects.create(
        title="技能竞赛海报", file=ContentFile(_png((1280, 720), (26, 80, 160)), "poster.png")
    )
    video = get_document_model().objects.create(
        title="竞赛集锦", file=ContentFile(b"\x00\x00\x00\x18ftypmp42", "集锦.mp4")
    )

    context = _logged_in(browser, newsroom, "shenhe")
    page = context.new_page()
    page.goto(f"{newsroom['url']}/admin/pages/add/home/newspage/{newsroom['index'].pk}/")
    page.fill("#id_title", "关于举办2026年全市职工技能竞赛的通知")

    editor = "[data-contentpath='body'] .public-DraftEditor-content"
    _add_block(page, "正文")
    lines = [
        ("海宁市总工会文件", "红头"),
        ("海工〔2026〕12号", "居中"),
        ("各基层工会：", None),
        ("为进一步弘扬劳模精神、劳动精神、工匠精神，决定举办2026年全市职工技能竞赛。", "缩进"),
        ("海宁市总工会", "居右"),
        ("2026年11月30日", "居右"),
    ]
    page.locator(editor).last.click()
    for number, (text, style) in enumerate(lines):
        if number:
            page.keyboard.press("Enter")
        page.keyboard.type(text)
        if style:
            # Select the line and press the toolbar button, as an editor does.
            page.keyboard.press("Home")
            page.keyboard.press("Shift+End")
            page.locator(f".Draftail-ToolbarButton[name='{STYLES[style]}']").first.click()
            page.keyboard.press("End")
    _shot(page, "notice-editor")

    _add_block(page, "表格（从 Excel/WPS 粘贴）")
    table_html = (CLIPBOARD / "wps_sheet_table.html").read_text()
    table_text = (CLIPBOARD / "wps_sheet_table.txt").read_text()
    page.evaluate(PASTE_JS, [".pasted-table__zone", table_html, table_text])
    status = page.locator(".pasted-table__status").last
    assert "已读取 5 行，其中 2 个合并单元格已保留" in status.inner_text()
    assert page.locator(".pasted-table__preview td[colspan='3']").count() == 1

    _add_block(page, "网络视频")
    _shot(page, "notice-editor-video-block")
    page.locator("[data-contentpath='body'] [data-contentpath='video'] :is(input, textarea)").last.fill(
        "https://www.bilibili.com/video/BV1GJ411x7h7/"
    )
    _shot(page, "notice-editor-blocks")

    page.evaluate("document.querySelector('button[name=\"action-publish\"]').click()")
    page.wait_for_load_state("networkidle")
    _shot(page, "notice-after-publish")
    errors = page.locator(".error-message, .w-field__errors, .help-critical").all_inner_texts()
    notice = NewsPage.objects.filter(title="关于举办2026年全市职工技能竞赛的通知").first()
    assert notice is not None and notice.live, [e for e in errors if e.strip()]
    # The uploaded MP4 block is added to the same page (choosers are Wagtail's own, tested upstream).
    notice.body.append(("video_file", {"file": video, "poster": poster, "title": "竞赛集锦", "caption": "2025年决赛"}))
    notice.save_revision(user=newsroom["users"]["shenhe"]).publish()
    context.close()

    for viewport in ("desktop", "phone"):
        public = browser.new_context(
            viewport=VIEWPORTS[viewport], is_mobile=viewport == "phone", device_scale_factor=1, locale="zh-CN"
        )
        tab = public.new_page()
        tab.goto(newsroom["url"] + notice.url)
        red = tab.locator(".prose h2.red-head")
        assert red.inner_text() == "海宁市总工会文件"
        assert tab.locator(".prose p.align-center").inner_text() == "海工〔2026〕12号"
        assert tab.locator(".prose p.indent").evaluate("el => getComputedStyle(el).textIndent") != "0px"
        assert tab.locator(".prose p.align-right").count() == 2
        assert tab.locator(".prose p.align-right").first.evaluate("el => getComputedStyle(el).textAlign") == "right"
        table = tab.locator(".block-table")
        assert table.locator("thead th[colspan='3']").inner_text() == "2026年职工技能竞赛成绩"
        assert table.locator("td[rowspan='2']").inner_text() == "1"
        iframe = tab.locator(".video-embed iframe")
        assert iframe.get_attribute("src") == "https://player.bilibili.com/player.html?bvid=BV1GJ411x7h7&autoplay=0"
        player = tab.locator(".block-video-file video")
        assert player.get_attribute("poster").endswith(".jpg")
        assert player.locator("source").get_attribute("type") == "video/mp4"
        assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        # The external players are not loaded in this sandbox; the frame itself is what axe should skip.
        result = Axe().run(tab, options={"rules": {"frame-tested": {"enabled": False}}})
        assert result.violations_count == 0, result.generate_report()
        _shot(tab, f"notice-public-{viewport}")
        public.close()
