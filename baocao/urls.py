"""Top-level URL map: web pages, sign-in, admin, API v1 and the OpenAPI schema."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

admin.site.site_header = _("baocao – National Reporting Information System")
admin.site.site_title = _("baocao administration")
admin.site.index_title = _("Administration")

# A small icon so that browsers do not log a 404 on every page.
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect width="16" height="16" rx="3" fill="#da251d"/>'
    '<path d="M8 3l1.2 3.6H13l-3 2.2 1.1 3.6L8 10.2 4.9 12.4 6 8.8 3 6.6h3.8z" fill="#ff0"/>'
    "</svg>"
)


def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponse(FAVICON, content_type="image/svg+xml")


urlpatterns = [
    path("", RedirectView.as_view(pattern_name="catalogue:calendar", permanent=False)),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("baocao.catalogue.urls")),
    path("", include("baocao.submissions.urls")),
    path("", include("baocao.validation.urls")),
    path("", include("baocao.dashboards.urls")),
    path("favicon.ico", favicon),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include("baocao.organisations.api.urls")),
    path("api/v1/", include("baocao.accounts.api.urls")),
    path("api/v1/", include("baocao.catalogue.api.urls")),
    path("api/v1/", include("baocao.submissions.api.urls")),
    path("api/v1/", include("baocao.validation.api.urls")),
    path("api/v1/", include("baocao.analytics.api.urls")),
]
