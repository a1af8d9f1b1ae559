from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from core import views as core_views
from security.api_docs import DocsView, SchemaView
from visits import views as visits_views

admin.site.site_header = _("GraPARI back office")
admin.site.site_title = _("GraPARI back office")
admin.site.index_title = _("Supervisor administration")

urlpatterns = [
    path("api/v1/", include("config.api_urls")),  # first: the channels' hot paths resolve in the fewest steps
    path("", visits_views.home, name="home"),  # the dashboard, the counter or the search
    path("accounts/", include("security.auth_urls")),
    path("language/", core_views.language_set, name="language_set"),
    path("admin/", admin.site.urls),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves its script from a URL (no inline script), so the CSP stays strict.
    path("api/docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("billing/", include("billing.urls")),
    path("protection/", include("protection.urls")),
    path("prepaid/", include("prepaid.urls")),
    path("visits/", include("visits.urls")),
    path("core/", include("core.urls")),
    path("security/", include("security.urls")),
    path("", include("accounts.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
