from django.urls import path

from schwarmdesk.automation import views

app_name = "automation"

urlpatterns = [
    path("candidates/", views.candidates, name="candidates"),
    path("candidates/<int:candidate_id>/publish/", views.publish, name="publish"),
    path("candidates/<int:candidate_id>/dismiss/", views.dismiss, name="dismiss"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("feedback/<str:token>/", views.feedback, name="feedback"),
    path(
        "community/answers/<int:answer_id>/feedback/",
        views.community_feedback,
        name="community_feedback",
    ),
]
