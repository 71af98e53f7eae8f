from django.urls import path

from training import views

app_name = "training"
urlpatterns = [
    path("enroll/lookup/", views.lookup, name="lookup"),
    path("enroll/cancel/", views.cancel_enrollment, name="cancel"),
    path("enroll/accept/", views.accept_offer_view, name="accept_offer"),
    path("enroll/course/<id:course_id>/lessons.ics", views.course_lessons_ics, name="course_ics"),
    path("enroll/<str:reference>/lessons.ics", views.enrollment_lessons_ics, name="enrollment_ics"),
    path("enroll/<str:reference>/", views.confirmation, name="confirmation"),
]
