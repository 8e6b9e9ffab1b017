from django.urls import path

from schwarmdesk.escalation import views

app_name = "escalation"

urlpatterns = [
    path("escalations/", views.queue, name="queue"),
    path("escalations/<int:conversation_id>/answer/", views.answer, name="answer"),
]
