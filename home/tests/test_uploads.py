"""Uploads as editors make them: long Chinese names, OFD/WPS files, HEIC/CMYK/GIF pictures, tags, rights."""

import io
import os

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.test import override_settings
from PIL import Image
from wagtail.documents import get_document_model
from wagtail.models import Collection, GroupCollectionPermission

from home.models import SiteImage
from home.uploads import MAX_NAME_BYTES, clean_filename, fit_bytes, parse_tags

LONG_NAME = (
    "关于印发〔2026〕12号《海宁市总工会关于开展2026年度全市职工技能竞赛暨“工匠杯”劳动和技能竞赛活动的实施方案》"
    "的通知（含附件一、附件二、附件三：报名表、评分细则及获奖名额分配表）.ofd"
)


def _jpeg(mode="RGB", size=(320, 200), **save) -> bytes:
    output = io.BytesIO()
    color = (10, 200, 30, 0) if mode == "CMYK" else (200, 30, 30)
    Image.new(mode, size, color).save(output, "JPEG", **save)
    return output.getvalue()


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("bianji-test", password="pw")
    user.groups.add(Group.objects.get(name="内容编辑"))
    return user


def test_long_chinese_name_keeps_brackets_extension_and_fits_255_bytes():
    assert len(LONG_NAME.encode()) > MAX_NAME_BYTES
    name = fit_bytes(clean_filename(LONG_NAME))
    assert len(name.encode()) <= MAX_NAME_BYTES
    assert name.startswith("关于印发〔2026〕12号《海宁市总工会")
    assert name.endswith(".ofd")
    name.encode().decode("utf-8")  # cut on a character boundary


def test_clean_filename_drops_separators_and_invisible_characters():
    assert clean_filename("../a/b\\c:d*?.pdf") == "abcd.pdf"
    assert clean_filename("通知\u202e\u200b（定稿）　v2.docx") == "通知（定稿）_v2.docx"
    assert clean_filename("...") == "file"


def test_tags_split_on_chinese_and_western_commas():
    assert parse_tags("健步走，全民健身") == ["健步走", "全民健身"]
    assert parse_tags("健步走, 全民健身、职工书屋；读书") == ["健步走", "全民健身", "职工书屋", "读书"]
    assert parse_tags('"健步走，全民健身"') == ["健步走", "全民健身"]
    assert parse_tags("") == []


@pytest.mark.django_db
def test_editors_and_reviewers_may_upload_images_and_documents():
    root = Collection.get_first_root_node()
    for group_name, expected in (
        ("内容编辑", {"add_image", "choose_image", "add_document", "choose_document"}),
        ("内容审核", {"add_image", "change_image", "add_document", "change_document", "choose_document"}),
    ):
        codenames = set(
            GroupCollectionPermission.objects.filter(group__name=group_name, collection=root).values_list(
                "permission__codename", flat=True
            )
        )
        assert expected <= codenames, group_name


@pytest.mark.django_db
def test_editor_uploads_long_named_ofd_served_as_download(client, editor):
    client.force_login(editor)
    response = client.post(
        "/admin/documents/add/",
        {
            "title": LONG_NAME[:-4],
            "file": SimpleUploadedFile(LONG_NAME, b"PK\x03\x04 ofd", content_type="application/octet-stream"),
            "collection": Collection.get_first_root_node().pk,
            "tags": "公文，通知",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    document = get_document_model().objects.get()
    stored = os.path.basename(document.file.name)
    assert "〔2026〕12号《海宁市总工会" in stored and stored.endswith(".ofd")
    assert len(stored.encode()) <= MAX_NAME_BYTES
    assert os.path.exists(document.file.path)
    assert sorted(document.tags.names()) == ["公文", "通知"]
    download = client.get(document.url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/ofd"
    assert download["Content-Disposition"].startswith("attachment")


@pytest.mark.django_db
@pytest.mark.parametrize("extension", ["wps", "et", "dps", "rar", "7z", "mp4"])
def test_office_archive_and_video_types_are_allowed(client, editor, extension):
    client.force_login(editor)
    response = client.post(
        "/admin/documents/add/",
        {"title": "文件", "file": SimpleUploadedFile(f"文件.{extension}", b"data"), "collection": 1},
    )
    assert response.status_code == 302


@pytest.mark.django_db
@override_settings(WAGTAILDOCS_MAX_UPLOAD_SIZE=1024)
def test_oversize_document_gets_one_clear_error(client, editor):
    client.force_login(editor)
    response = client.post(
        "/admin/documents/add/",
        {"title": "大文件", "file": SimpleUploadedFile("大文件.pdf", b"x" * 4096), "collection": 1},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert len(errors) == 1
    assert "扩展" not in errors[0]
    assert get_document_model().objects.count() == 0


def _upload_image(client, name, data, **extra):
    return client.post(
        "/admin/images/add/",
        {"title": extra.get("title", name), "file": SimpleUploadedFile(name, data), "collection": 1},
    )


@pytest.mark.django_db
def test_heic_photo_is_accepted_and_stored_as_jpeg(client, editor):
    from pillow_heif import register_heif_opener

    register_heif_opener()
    output = io.BytesIO()
    Image.new("RGB", (400, 300), (30, 120, 200)).save(output, "HEIF", quality=80)
    client.force_login(editor)
    response = _upload_image(client, "IMG_0001.HEIC", output.getvalue())
    assert response.status_code == 302, response.content.decode()[:1500]
    image = SiteImage.objects.get()
    assert image.file.name.endswith(".jpg")
    assert (image.width, image.height) == (400, 300)
    with Image.open(image.file.path) as stored:
        assert stored.format == "JPEG" and stored.mode == "RGB"


@pytest.mark.django_db
def test_cmyk_jpeg_is_converted_to_srgb(client, editor):
    client.force_login(editor)
    assert _upload_image(client, "海报.jpg", _jpeg("CMYK")).status_code == 302
    with Image.open(SiteImage.objects.get().file.path) as stored:
        assert stored.mode == "RGB"


def _animated_gif(frames=3) -> bytes:
    output = io.BytesIO()
    images = [Image.new("RGB", (60, 40), color) for color in ((200, 0, 0), (0, 200, 0), (0, 0, 200))[:frames]]
    images[0].save(output, "GIF", save_all=True, append_images=images[1:], duration=200, loop=0)
    return output.getvalue()


@pytest.mark.django_db
def test_animated_gif_keeps_its_frames(client, editor):
    client.force_login(editor)
    assert _upload_image(client, "动图.gif", _animated_gif()).status_code == 302
    image = SiteImage.objects.get()
    assert image.is_animated
    with Image.open(image.file.path) as stored:
        assert stored.n_frames == 3


@pytest.mark.django_db
@override_settings(ANIMATED_GIF_MAX_UPLOAD_SIZE=100)
def test_oversize_animation_is_refused_with_a_reason(client, editor):
    client.force_login(editor)
    response = _upload_image(client, "动图.gif", _animated_gif())
    assert response.status_code == 200
    assert "动图" in " ".join(response.context["form"].errors["file"])


@pytest.mark.django_db
def test_upload_form_states_the_size_cap(client, editor):
    client.force_login(editor)
    html = client.get("/admin/images/add/").content.decode()
    assert f"单张不超过 {filesizeformat(settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE)}" in html and "HEIC" in html
    assert settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE >= 25 * 1024 * 1024  # ordinary camera photos fit


@pytest.mark.django_db
def test_storage_survives_a_name_collision_at_the_byte_limit():
    from django.core.files.storage import default_storage

    first = default_storage.save("documents/" + LONG_NAME, ContentFile(b"1"))
    second = default_storage.save("documents/" + LONG_NAME, ContentFile(b"2"))
    assert first != second
    for name in (first, second):
        assert len(os.path.basename(name).encode()) <= MAX_NAME_BYTES
        assert default_storage.exists(name)
