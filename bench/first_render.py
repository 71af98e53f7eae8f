"""The first visitor's render of a news page whose cover is a new 8 MB camera photo.

    .venv/bin/python bench/first_render.py [--photos 3] [--megabytes 8] [--baseline]

Builds a throwaway SQLite site (home, news index), then for each photo: uploads an 8 MB JPEG through
the same model save an editor's upload makes (the post-save hook enqueues the rendition task; with no
broker configured the task runs inline at the commit, standing in for the Celery worker), publishes a
news page with it as cover and a gallery picture, empties the cache (Wagtail keeps renditions there)
and times the first GET of the page. --baseline disconnects the upload hook, so the page has to make
its renditions during the visitor's request, as before. Prints one line per photo and the median.
Target (issue #19): under 0.5 s for the first visitor.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def camera_photo(megabytes: float, seed: int) -> bytes:
    """A JPEG of at least ``megabytes`` MB: sensor-like noise over a gradient compresses like a real photo."""
    import random

    from PIL import Image

    rng = random.Random(seed)
    width, height = 4000, 3000
    noise = Image.frombytes("L", (width, height), rng.randbytes(width * height)).convert("RGB")
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    quality = 90
    while True:
        output = io.BytesIO()
        Image.blend(base, noise, 0.55).save(output, "JPEG", quality=quality)
        if output.tell() >= megabytes * 1024 * 1024 or quality >= 100:
            return output.getvalue()
        quality += 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=3)
    parser.add_argument("--megabytes", type=float, default=8)
    parser.add_argument("--baseline", action="store_true", help="no renditions on upload (the old behaviour)")
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="haining-bench-render-")
    os.environ.setdefault("VAR_DIR", var_dir)
    os.environ["MEDIA_ROOT"] = os.path.join(var_dir, "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "haining.settings.test"
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.core.cache import cache
    from django.core.files.images import ImageFile
    from django.core.management import call_command
    from django.db.models.signals import post_save
    from django.test import Client
    from wagtail.models import Page, Site

    from home.models import HomePage, NewsGalleryImage, NewsIndexPage, NewsPage, SiteImage, SiteRendition

    call_command("migrate", verbosity=0)
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="海宁市总工会", slug="bench-home"))
    Site.objects.all().delete()
    Site.objects.create(hostname="testserver", port=80, root_page=home, is_default_site=True)
    index = home.add_child(instance=NewsIndexPage(title="工会新闻", slug="news"))
    if args.baseline:
        post_save.disconnect(sender=SiteImage, dispatch_uid="home-image-renditions")

    client = Client()
    client.get(index.url)  # a warm process (templates loaded), as a running server is
    timings = []
    for number in range(args.photos):
        data = camera_photo(args.megabytes, seed=number)
        started = time.perf_counter()
        image = SiteImage(title=f"相机照片 {number}", file=ImageFile(io.BytesIO(data), name=f"DSC_{number:04d}.JPG"))
        image._set_image_file_metadata()
        image.save()  # commit → the rendition task (inline here, a Celery worker in production)
        upload_seconds = time.perf_counter() - started
        renditions = SiteRendition.objects.filter(image=image).count()

        news = index.add_child(instance=NewsPage(title=f"新闻 {number}", slug=f"news-{number}", cover_image=image))
        NewsGalleryImage.objects.create(page=news, image=image, caption="现场")
        news.save_revision().publish()
        cache.clear()  # a cold cache: nothing about this page or its renditions is cached yet
        started = time.perf_counter()
        response = client.get(news.url)
        first = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        made_by_visitor = SiteRendition.objects.filter(image=image).count() - renditions
        timings.append(first)
        print(
            f"photo {number}: {len(data) / 1024 / 1024:.1f} MB, upload + background renditions {upload_seconds:.1f} s "
            f"({renditions} renditions); first visitor {first * 1000:.0f} ms, renditions made during the request: "
            f"{made_by_visitor}"
        )
    print(f"first-visitor render, median of {len(timings)}: {statistics.median(timings) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
