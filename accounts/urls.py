"""``/api/v1/auth/*``: browser sign-in (included by ``api.urls``)."""

from accounts import views
from api.routers import route

urlpatterns = [
    route("auth/csrf", views.CsrfView.as_view(), name="auth-csrf"),
    route("auth/login", views.LoginView.as_view(), name="auth-login"),
    route("auth/logout", views.LogoutView.as_view(), name="auth-logout"),
]
