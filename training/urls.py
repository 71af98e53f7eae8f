from django.urls import path

from training import views

app_name = "training"
urlpatterns = [
    path("enroll/lookup/", views.lookup, name="lookup"),
    path("enroll/cancel/", views.cancel_enrollment, name="cancel"),
    path("enroll/accept/", views.accept_offer_view, name="accept_offer"),
    path("enroll/<str:reference>/", views.confirmation, name="confirmation"),
]
