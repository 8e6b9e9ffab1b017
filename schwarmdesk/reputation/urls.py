from django.urls import path

from schwarmdesk.reputation import views

app_name = "reputation"

urlpatterns = [
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("reputation/", views.rules, name="rules"),
]
