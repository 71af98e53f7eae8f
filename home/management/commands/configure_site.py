"""`manage configure_site [--url URL]`: point the default Wagtail Site at the public address.

A fresh deployment's Site says ``localhost:80`` (made by migrations or the demo), so canonical links, the
sitemap and Wagtail's full URLs would say ``http://localhost``. This sets the default Site's hostname and
port from ``--url`` or the ``SITE_URL`` setting (``https://www.example.cn`` → hostname ``www.example.cn``,
port 443). Safe to run on every start.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site


class Command(BaseCommand):
    help = "按 SITE_URL（或 --url）设置默认站点的域名与端口，使规范链接和站点地图使用公开地址"

    def add_arguments(self, parser):
        parser.add_argument("--url", help="公开地址，例如 https://www.example.cn（默认取 SITE_URL）")

    def handle(self, *args, url=None, **options):
        url = (url or settings.SITE_URL or "").strip()
        if not url:
            self.stdout.write("未设置 SITE_URL，站点地址保持不变。")
            return
        parts = urlsplit(url if "://" in url else f"https://{url}")
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise CommandError(f"地址无效：{url}（应为 https://域名）")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            raise CommandError("没有默认站点：先运行 manage migrate（以及 manage seed_demo 或在后台创建站点）。")
        if (site.hostname, site.port) == (parts.hostname, port):
            self.stdout.write(f"站点地址已是 {parts.hostname}:{port}。")
            return
        site.hostname, site.port = parts.hostname, port
        site.save(update_fields=["hostname", "port"])
        self.stdout.write(self.style.SUCCESS(f"默认站点地址已设为 {parts.hostname}:{port}。"))
