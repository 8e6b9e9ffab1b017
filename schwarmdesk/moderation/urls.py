from django.urls import path

from schwarmdesk.moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    *[
        route
        for target in ("question", "answer", "comment")
        for route in (
            path(
                f"{target}s/<int:pk>/flag/", views.flag, {"target": target}, name=f"flag_{target}"
            ),
            path(
                f"{target}s/<int:pk>/decide/",
                views.decide,
                {"target": target},
                name=f"decide_{target}",
            ),
        )
    ],
]
