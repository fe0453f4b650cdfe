"""URL map of the pages (namespace ``web``), the log-in pages and the static files (htmx, CSS, admin's).

Static files are served by Django's staticfiles view so that ``mescams serve`` (gunicorn) needs no separate web
server on a single machine; a deployment behind a proxy can serve ``collectstatic``'s folder instead.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.staticfiles.views import serve as static_serve
from django.urls import include, path, re_path

from mescams.edc.web.views import (
    access_log,
    assessors,
    auth,
    casebook,
    coding,
    consent,
    crf,
    datamgmt,
    investigator,
    lab,
    monitor,
    notifications,
    oversight,
    queries,
    safety,
    site,
)

pages = [
    path("", auth.home, name="home"),
    # safety officer (SUSAR cases; one case's treatment revealed at a time)
    path("safety/", safety.dashboard, name="safety_dashboard"),
    path("safety/case/<int:record_pk>/", safety.case, name="safety_case"),
    path("safety/case/<int:record_pk>/reveal/", safety.reveal, name="safety_reveal"),
    path("safety/case/<int:record_pk>/report/", safety.report, name="safety_report"),
    path("safety/case/<int:record_pk>/cioms.pdf", safety.cioms_pdf, name="safety_cioms"),
    path("safety/case/<int:record_pk>/e2b.xml", safety.e2b_xml, name="safety_e2b"),
    path("account/notifications/", notifications.preferences, name="notifications"),
    # site coordinator and investigator
    path("site/", site.dashboard, name="site_dashboard"),
    path("site/prescreening/", consent.prescreening, name="prescreening"),
    path("site/prescreening/<int:entry_id>/not-screened/", consent.not_screened, name="prescreening_not_screened"),
    path("site/screen/", consent.new_consent, name="screen"),  # screening starts with the informed consent
    path("site/screen/row/", site.screen_row, name="screen_row"),
    path("site/reconsent/", consent.reconsent_due, name="reconsent_due"),
    path("site/calendar/", site.visit_calendar, name="visit_calendar"),
    path("site/p/<str:participant_id>/", site.participant, name="participant"),
    path("site/p/<str:participant_id>/consent/", consent.reconsent, name="consent"),
    path("site/p/<str:participant_id>/screening/", site.screening, name="screening"),
    path("site/p/<str:participant_id>/screening/preview/", site.screen_preview, name="screen_preview"),
    path("site/p/<str:participant_id>/eligibility/", site.eligibility, name="eligibility"),
    path("site/p/<str:participant_id>/randomise/", site.randomise, name="randomise"),
    path("site/p/<str:participant_id>/withdraw/", site.withdraw, name="withdraw"),
    path("site/p/<str:participant_id>/complete/", site.complete, name="complete"),
    path("site/p/<str:participant_id>/visit/<str:visit_code>/", crf.visit, name="visit"),
    path("site/p/<str:participant_id>/forms/<str:form_name>/new/", crf.crf_new, name="crf_new"),
    path("site/p/<str:participant_id>/forms/<str:form_name>/<int:record_pk>/", crf.crf_edit, name="crf_edit"),
    path("site/p/<str:participant_id>/sign/", investigator.sign, name="sign"),
    path("casebook/<str:participant_id>/pdf/", casebook.casebook, name="casebook_pdf"),
    path("site/p/<str:participant_id>/unblind/", investigator.unblind, name="unblind"),
    path("site/p/<str:participant_id>/ae/<int:record_pk>/causality/", investigator.ae_causality,
         name="ae_causality"),
    path("site/ae-review/", investigator.ae_review, name="ae_review"),
    path("site/queries/", queries.inbox, name="site_queries"),
    path("queries/<int:query_id>/answer/", queries.answer, name="answer_query"),
    # blinded assessors
    path("rater/", assessors.rater_home, name="rater_home"),
    path("rater/p/<str:participant_id>/", assessors.rater_participant, name="rater_participant"),
    path("rater/queries/", queries.rater_inbox, name="rater_queries"),
    path("mri/", assessors.mri_scans, name="mri_scans"),
    path("mri/<str:scan_id>/", assessors.mri_read, name="mri_read"),
    # cell-processing lab
    path("lab/", lab.worklist, name="lab_worklist"),
    path("lab/accountability/", lab.accountability, name="lab_accountability"),
    path("lab/<str:participant_id>/<str:visit_code>/", lab.release, name="lab_release"),
    path("lab/<str:participant_id>/<str:visit_code>/dose/", lab.dose_preview, name="lab_dose"),
    path("lab/<str:participant_id>/<str:visit_code>/prepare/", lab.prepare, name="lab_prepare"),
    path("lab/<str:participant_id>/<str:visit_code>/reconfirm/", lab.reconfirm, name="lab_reconfirm"),
    # data manager
    path("dm/queries/", queries.manage, name="dm_queries"),
    path("dm/queries/<int:query_id>/close/", queries.close, name="dm_close_query"),
    path("dm/queries/<int:query_id>/follow-up/", queries.follow_up, name="dm_follow_up_query"),
    path("dm/status/", datamgmt.status, name="dm_status"),
    path("dm/missing/", datamgmt.missing, name="dm_missing"),
    path("dm/audit/", datamgmt.audit, name="dm_audit"),
    path("dm/locks/", datamgmt.locks, name="dm_locks"),
    path("dm/locks/action/", datamgmt.lock_action, name="dm_lock_action"),
    path("dm/locks/confirm/", datamgmt.lock_confirm, name="dm_lock_confirm"),
    path("dm/access-log/", access_log.access_log_page, name="dm_access_log"),
    # medical coder (blinded)
    path("coding/", coding.queue, name="coding_queue"),
    path("coding/<int:term_id>/", coding.term, name="coding_term"),
    path("coding/<int:term_id>/decide/", coding.decide, name="coding_decide"),
    path("coding/<int:term_id>/query/", coding.query, name="coding_query"),
    # monitor (clinical research associate)
    path("monitor/", monitor.home, name="monitor_home"),
    path("monitor/p/<str:participant_id>/", monitor.participant, name="monitor_participant"),
    path("monitor/p/<str:participant_id>/verify/", monitor.verify, name="monitor_verify"),
    path("monitor/p/<str:participant_id>/query/", monitor.raise_query, name="monitor_query"),
    path("monitor/queries/", monitor.query_list, name="monitor_queries"),
    path("monitor/visits/", monitor.visits, name="monitor_visits"),
    path("monitor/visits/<int:visit_id>/", monitor.visit_report, name="monitor_visit"),
    # unblinded statistician and DSMB
    path("oversight/", oversight.overview, name="oversight"),
    path("oversight/safety/", oversight.safety, name="oversight_safety"),
    path("oversight/lesions/", oversight.lesions, name="oversight_lesions"),
    path("oversight/reports/", oversight.reports, name="oversight_reports"),
    path("oversight/reports/new/", oversight.generate_report, name="oversight_generate"),
    path("oversight/reports/<str:name>/<str:filename>", oversight.download_report, name="oversight_download"),
]

urlpatterns = [
    path("", include((pages, "web"))),
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/password/", auth.password_change, name="password_change"),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="/accounts/login/"), name="logout"),
    # The admin's own log-in would bypass the lock-out: send it to the one log-in page.
    path("admin/login/", auth.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    re_path(r"^static/(?P<path>.*)$", static_serve, {"insecure": True}),
]
