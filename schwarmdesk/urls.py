from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from schwarmdesk.channels import webchat_views
from schwarmdesk.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    path("help/", include("schwarmdesk.knowledge.urls")),
    path("community/", include("schwarmdesk.community.urls")),
    path("community/", include("schwarmdesk.reputation.urls")),
    path("community/", include("schwarmdesk.escalation.urls")),
    path("community/moderation/", include("schwarmdesk.moderation.urls")),
    path("", include("schwarmdesk.accounts.urls")),
    path("", include("schwarmdesk.notifications.urls")),
    path("channels/", include("schwarmdesk.channels.urls")),
    path("chat-demo/", webchat_views.demo, name="chat_demo"),
    path("inbox/", include("schwarmdesk.inbox.urls")),
    path("automation/", include("schwarmdesk.automation.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
if not settings.IS_PRODUCTION:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
