"""Routes of the participant portal (namespace ``portal``)."""

from __future__ import annotations

from django.urls import path

from mescams.edc.portal import views

app_name = "portal"
urlpatterns = [
    path("portal/login/", views.portal_login, name="login"),
    path("portal/verify/", views.verify, name="verify"),
    path("portal/activate/<str:token>/", views.activate, name="activate"),
    path("portal/", views.home, name="home"),
    path("portal/symptoms/", views.symptoms, name="symptoms"),
    path("portal/diary/<str:visit_code>/", views.diary, name="diary"),
    path("site/p/<str:participant_id>/portal/", views.invite, name="invite"),
    path("site/portal/reports/", views.site_reports, name="site_reports"),
    path("site/portal/reports/<int:report_id>/acknowledge/", views.acknowledge, name="acknowledge"),
]
