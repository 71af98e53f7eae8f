"""Renditions are made when a picture is uploaded: the first visitor of a page waits for none."""

import pytest

from home.images import rendition_filter_specs
from home.models import NewsGalleryImage, SiteRendition
from home.tests.factories import NewsIndexPageFactory, NewsPageFactory, SiteImageFactory

pytestmark = pytest.mark.django_db


def test_upload_makes_every_template_rendition_and_pages_make_none(
    client, site_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cover = SiteImageFactory(width=1600, height=1200)
        picture = SiteImageFactory(width=1600, height=1200)
    specs = rendition_filter_specs()
    assert cover.renditions.count() == len(specs) == picture.renditions.count()

    index = NewsIndexPageFactory(parent=site_root)
    news = NewsPageFactory(
        parent=index,
        cover_image=cover,
        body=[
            ("image", {"image": picture, "caption": "图片说明"}),
            ("paragraph", f'<embed alt="现场" embedtype="image" format="fullwidth" id="{picture.pk}"/>'),
        ],
    )
    NewsGalleryImage.objects.create(page=news, image=picture, caption="图集")
    news.save_revision().publish()
    before = SiteRendition.objects.count()
    for url in (news.url, index.url, site_root.url):
        assert client.get(url).status_code == 200
    assert SiteRendition.objects.count() == before  # every size the templates asked for existed already


def test_renditions_are_not_made_twice(django_capture_on_commit_callbacks):
    from home.images import generate_renditions

    with django_capture_on_commit_callbacks(execute=True):
        image = SiteImageFactory()
    assert generate_renditions(image) == 0
