"""Readable page addresses: a Chinese title becomes a pinyin slug (少儿古筝启蒙班 → shao-er-gu-zheng-qi-meng-ban).

A slug with Chinese characters turns into a 180-character %E5… link when shared in WeChat. Editors may
still type their own ASCII slug; only a slug containing non-ASCII characters (which Wagtail's admin
fills in from the title) is replaced. When a live page's slug changes, Wagtail's redirects app
(`WAGTAILREDIRECTS_AUTO_CREATE`, on by default) keeps the old address working.
"""

from django.utils.text import slugify
from pypinyin import Style, lazy_pinyin

MAX_LENGTH = 60


def pinyin_slug(text: str, max_length: int = MAX_LENGTH) -> str:
    """ "CAD 机械制图培训" → "cad-ji-xie-zhi-tu-pei-xun"; cut at a hyphen to at most `max_length` characters."""
    slug = slugify("-".join(lazy_pinyin(text, style=Style.NORMAL)).replace("ü", "v"))
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug.strip("-")


def needs_pinyin(slug: str) -> bool:
    return not slug or not slug.isascii()


def unique_sibling_slug(page, slug: str, parent=None) -> str:
    """`slug`, or `slug-2`, `slug-3` … the first not used by another child of the page's parent."""
    parent = parent or page.get_parent()
    if parent is None:
        return slug
    taken = set(parent.get_children().exclude(pk=page.pk).values_list("slug", flat=True))
    candidate, n = slug, 2
    while candidate in taken:
        candidate = f"{slug}-{n}"
        n += 1
    return candidate
