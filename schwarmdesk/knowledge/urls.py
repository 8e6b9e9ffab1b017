from django.urls import path, re_path

from schwarmdesk.knowledge import views

app_name = "knowledge"

ARTICLE = r"^(?P<language>de|en)/(?P<slug>[-a-z0-9]+)/"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("promote/<int:question_id>/", views.promote, name="promote"),
    path("categories/<slug:slug>/", views.category, name="category"),
    re_path(ARTICLE + r"$", views.article, name="article"),
    re_path(ARTICLE + r"feedback/$", views.feedback, name="feedback"),
]
