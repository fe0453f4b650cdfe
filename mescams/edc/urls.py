"""URL map: the JSON API under /api/ (OpenAPI at /api/openapi.json); pages come with the web application."""

from __future__ import annotations

from django.urls import include, path

from mescams.edc.api.app import build_api
from mescams.edc.i18n.views import set_language
from mescams.edc.labels.views import product_label

urlpatterns = [
    path("api/", build_api().urls),
    path("language/", set_language, name="set_language"),
    path("", include("mescams.edc.econsent.urls")),
    path("", include("mescams.edc.portal.urls")),
    path("lab/labels/<str:product_code>/<str:visit_code>/", product_label, {"fmt": "html"}, name="product_label"),
    path("lab/labels/<str:product_code>/<str:visit_code>/pdf/", product_label, {"fmt": "pdf"},
         name="product_label_pdf"),
    path("", include("mescams.edc.web.urls")),
]
