from django.urls import path

from schwarmdesk.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/signup/done/", views.signup_done, name="signup_done"),
    path("accounts/verify/<str:token>/", views.verify, name="verify"),
    path("accounts/verify-again/", views.resend, name="resend"),
    path("accounts/settings/", views.account_settings, name="settings"),
    path("accounts/password/", views.password_change, name="password_change"),
    path("accounts/password/done/", views.password_change_done, name="password_change_done"),
    path("accounts/password-reset/", views.password_reset, name="password_reset"),
    path("accounts/password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/done/",
        views.password_reset_complete,
        name="password_reset_complete",
    ),
    path("community/mine/", views.my_questions, name="my_questions"),
    path("community/users/<str:username>/", views.profile, name="profile"),
]
