from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("users/", views.user_list, name="users"),
    path("users/<int:user_id>/toggle/", views.user_toggle, name="user_toggle"),
    path("users/<int:user_id>/password/", views.user_reset_password, name="user_reset_password"),
    path("roles/", views.role_list, name="roles"),
    path("roles/<int:user_id>/", views.role_assign, name="role_assign"),
    path("roles/<int:user_id>/confirm/", views.role_confirm, name="role_confirm"),
    path("security/", views.security_settings, name="security"),
    path("tokens/", views.tokens, name="tokens"),
]
