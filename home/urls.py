from django.urls import path

from home import views

app_name = "home"
urlpatterns = [
    path("elder/", views.elder_mode, name="elder_mode"),
]
