"""Placeholder photographs drawn locally with Pillow (no downloads): a gradient and a motif per theme."""

import io
import random

from PIL import Image, ImageDraw, ImageFilter

PALETTES = {
    "red": ((200, 22, 29), (158, 17, 23), (246, 214, 170)),
    "gold": ((184, 134, 11), (120, 72, 10), (255, 240, 200)),
    "teal": ((20, 110, 120), (10, 60, 80), (210, 240, 235)),
    "blue": ((40, 80, 150), (20, 40, 90), (220, 230, 250)),
    "green": ((40, 120, 60), (20, 70, 40), (225, 245, 220)),
    "purple": ((110, 50, 120), (60, 25, 80), (240, 225, 245)),
    "orange": ((210, 100, 30), (140, 50, 20), (255, 235, 210)),
}


def _gradient(size, top, bottom):
    width, height = size
    base = Image.new("RGB", size, top)
    draw = ImageDraw.Draw(base)
    for y in range(height):
        t = y / max(height - 1, 1)
        draw.line([(0, y), (width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return base


def _motif(draw, kind, size, light, rnd):
    w, h = size
    if kind == "rope":  # a tug-of-war rope with two teams
        y = h * 0.62
        draw.line([(w * 0.05, y), (w * 0.95, y)], fill=light, width=max(6, h // 60))
        for side in (-1, 1):
            for i in range(5):
                x = w / 2 + side * (w * 0.1 + i * w * 0.07)
                r = h * 0.05
                draw.ellipse([x - r, y - h * 0.28 - r, x + r, y - h * 0.28 + r], fill=light)
                draw.rounded_rectangle(
                    [x - r * 0.9, y - h * 0.24, x + r * 0.9, y + h * 0.02], radius=int(r / 2), fill=light
                )
        draw.rectangle([w / 2 - 6, y - 40, w / 2 + 6, y + 40], fill=(255, 215, 0))
    elif kind == "books":
        x = w * 0.12
        while x < w * 0.88:
            bw = rnd.randint(int(w * 0.03), int(w * 0.06))
            bh = rnd.randint(int(h * 0.3), int(h * 0.55))
            shade = tuple(min(255, c - rnd.randint(0, 60)) for c in light)
            draw.rectangle([x, h * 0.8 - bh, x + bw, h * 0.8], fill=shade)
            x += bw + 4
        draw.rectangle([w * 0.08, h * 0.8, w * 0.92, h * 0.83], fill=light)
    elif kind == "stage":
        draw.polygon([(0, 0), (w * 0.22, 0), (w * 0.12, h), (0, h)], fill=light)
        draw.polygon([(w, 0), (w * 0.78, 0), (w * 0.88, h), (w, h)], fill=light)
        for i in range(3):
            cx = w * (0.35 + i * 0.15)
            draw.polygon([(cx, h * 0.1), (cx - w * 0.08, h * 0.85), (cx + w * 0.08, h * 0.85)], fill=(255, 250, 220))
    elif kind == "gears":
        for _ in range(4):
            cx, cy, r = rnd.uniform(w * 0.2, w * 0.8), rnd.uniform(h * 0.25, h * 0.75), rnd.uniform(h * 0.1, h * 0.22)
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=light, width=int(r / 4))
            draw.ellipse([cx - r / 4, cy - r / 4, cx + r / 4, cy + r / 4], fill=light)
    elif kind == "hearts":
        for _ in range(7):
            cx, cy, r = rnd.uniform(0, w), rnd.uniform(0, h), rnd.uniform(h * 0.05, h * 0.14)
            draw.ellipse([cx - r, cy - r, cx, cy], fill=light)
            draw.ellipse([cx, cy - r, cx + r, cy], fill=light)
            draw.polygon([(cx - r, cy - r / 2), (cx + r, cy - r / 2), (cx, cy + r)], fill=light)
    elif kind == "court":
        draw.rectangle([w * 0.1, h * 0.15, w * 0.9, h * 0.85], outline=light, width=8)
        draw.line([(w / 2, h * 0.15), (w / 2, h * 0.85)], fill=light, width=8)
        draw.ellipse([w / 2 - h * 0.15, h / 2 - h * 0.15, w / 2 + h * 0.15, h / 2 + h * 0.15], outline=light, width=8)
    elif kind == "notes":
        for i in range(6):
            x, y = w * (0.15 + i * 0.13), h * (0.3 + 0.35 * ((i * 37) % 5) / 5)
            draw.ellipse([x, y, x + h * 0.08, y + h * 0.06], fill=light)
            draw.line([(x + h * 0.08, y + h * 0.03), (x + h * 0.08, y - h * 0.2)], fill=light, width=6)
    else:  # "waves": generic abstract bands
        for i in range(6):
            y = h * (0.2 + i * 0.12)
            draw.arc([-w * 0.2, y - h * 0.2, w * 1.2, y + h * 0.2], 10, 170, fill=light, width=10)


def make_image_bytes(seed: str, palette: str = "red", kind: str = "waves", size=(1600, 900)) -> bytes:
    rnd = random.Random(seed)
    top, bottom, light = PALETTES.get(palette, PALETTES["red"])
    img = _gradient(size, top, bottom)
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for _ in range(10):  # soft bokeh
        cx, cy, r = rnd.uniform(0, size[0]), rnd.uniform(0, size[1]), rnd.uniform(40, 220)
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(*light, 28))
    overlay = overlay.filter(ImageFilter.GaussianBlur(12))
    img = Image.alpha_composite(img.convert("RGBA"), overlay)
    _motif(ImageDraw.Draw(img), kind, size, light, rnd)
    buffer = io.BytesIO()
    img.convert("RGB").save(buffer, "JPEG", quality=82, optimize=True)
    return buffer.getvalue()
