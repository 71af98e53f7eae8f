from django.conf import settings
from django.urls import include, path, register_converter
from django.views.generic import TemplateView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.images.views.serve import ServeView

from haining import health
from haining.input_guard import ObjectIdConverter
from home import views as home_views
from training import lottery_views as training_lottery_views
from training.api import api as training_api

register_converter(ObjectIdConverter, "id")

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("images/<str:signature>/<int:image_id>/<str:filter_spec>/", ServeView.as_view(), name="wagtailimages_serve"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", TemplateView.as_view(template_name="robots.txt", content_type="text/plain"), name="robots"),
    path("healthz", home_views.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", training_api.urls),
    path("enroll/draw/<id:course_id>/", training_lottery_views.public_result, name="lottery_result"),
    # Each app owns its non-page URLs under its own prefix.
    path("", include("home.urls")),
    path("", include("culture.urls")),
    path("", include("training.urls")),
    path("", include("search.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

handler400 = "home.views.bad_request"
handler404 = "home.views.page_not_found"
handler500 = "home.views.server_error"
