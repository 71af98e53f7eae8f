"""`manage configure_site`: canonical links and the sitemap use the public address, not localhost."""

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Site

pytestmark = pytest.mark.django_db


def test_site_url_sets_hostname_and_port_used_by_the_sitemap(site_root, client, settings):
    settings.SITE_URL = "https://www.hnszgh.example.cn"
    settings.ALLOWED_HOSTS = ["*"]
    call_command("configure_site")
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("www.hnszgh.example.cn", 443)
    sitemap = client.get("/sitemap.xml", HTTP_HOST="www.hnszgh.example.cn", secure=True).content.decode()
    assert "https://www.hnszgh.example.cn/" in sitemap and "localhost" not in sitemap


def test_explicit_http_url_with_port(site_root):
    call_command("configure_site", url="http://intranet.example:8080")
    assert Site.objects.filter(is_default_site=True, hostname="intranet.example", port=8080).exists()


def test_without_a_url_nothing_changes_and_a_bad_url_is_refused(site_root, settings):
    settings.SITE_URL = ""
    call_command("configure_site")
    assert Site.objects.get(is_default_site=True).hostname == "localhost"
    with pytest.raises(CommandError, match="地址无效"):
        call_command("configure_site", url="ftp://x")
