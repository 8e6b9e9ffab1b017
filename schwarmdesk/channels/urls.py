from django.urls import path

from schwarmdesk.channels import views, web_form_views

app_name = "channels"

urlpatterns = [
    path("<slug:kind>/<int:channel_id>/webhook/", views.webhook, name="webhook"),
    path("form/<int:channel_id>/", web_form_views.web_form, name="web_form"),
]
