from django.urls import path

from schwarmdesk.channels import views

app_name = "channels"

urlpatterns = [
    path("<slug:kind>/<int:channel_id>/webhook/", views.webhook, name="webhook"),
]
