from django.urls import path

from schwarmdesk.notifications import views

app_name = "notifications"

urlpatterns = [
    path("community/questions/<int:pk>/follow/", views.follow, name="follow"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
