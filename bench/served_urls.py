"""The site's URLs plus the yardstick of `bench/pages.py --served`: a trivial view behind Django's cache_page."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.cache import cache_page

from haining.urls import urlpatterns as site_urlpatterns


@cache_page(600)
def trivial_cached(request):
    size = min(int(request.GET.get("size", "35000")), 1_000_000)
    return HttpResponse(
        ("<p>海宁市总工会</p>" * (size // 24 + 1)).encode()[:size], content_type="text/html; charset=utf-8"
    )


urlpatterns = [path("bench/trivial-cached/", trivial_cached), *site_urlpatterns]
