"""Renditions made when a picture is uploaded, so that no visitor waits for one.

``TEMPLATE_RENDITIONS`` lists the filter specs the templates ask for (brace patterns exactly as written
in the ``{% picture %}``/``{% image %}`` tags, plus Wagtail's rich-text image formats and the admin's
thumbnail). ``home.tests.test_renditions`` renders every public page type after an upload and fails if a
page still had to create a rendition, so this list cannot silently fall behind the templates.
"""

from functools import cache

from wagtail.images.models import Filter

TEMPLATE_RENDITIONS = (
    "format-{webp,jpeg} fill-{480x270,800x450,1200x675}-c100",  # cards, news cover, featured story
    "format-{webp,jpeg} fill-{480x270,860x484}-c100",  # event and course page covers
    "format-{webp,jpeg} fill-{480x360,800x600}-c100",  # news gallery thumbnails
    "max-1600x1600",  # news gallery full size
    "format-{webp,jpeg} width-{480,800,1200}",  # image block in 正文
    "width-800",  # rich-text image, full width
    "width-500",  # rich-text image, left/right
    "fill-1200x630|format-jpeg",  # share card (og:image)
    "format-{webp,jpeg} fill-{800x450,1600x600}-c80",  # home page banner
    "fill-1280x720-c100|format-jpeg",  # video poster
    "fill-800x450|format-webp",  # video link card poster
    "max-165x165",  # admin listing thumbnail
)


@cache
def rendition_filter_specs() -> tuple[str, ...]:
    """Every single filter spec of ``TEMPLATE_RENDITIONS`` (braces expanded as the template tags do)."""
    specs: list[str] = []
    for pattern in TEMPLATE_RENDITIONS:
        for spec in Filter.expand_spec(pattern):
            if spec not in specs:
                specs.append(spec)
    return tuple(specs)


def generate_renditions(image) -> int:
    """Create the missing renditions of ``image``; returns how many were created."""
    specs = rendition_filter_specs()
    existing = set(image.renditions.values_list("filter_spec", flat=True))
    missing = [Filter(spec=spec) for spec in specs if Filter(spec=spec).spec not in existing]
    if missing:
        image.get_renditions(*missing)
    return len(missing)
