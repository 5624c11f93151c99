"""URL routes of the platform."""

from django.urls import include, path

from bluehelmet.web.accounts import views as accounts
from bluehelmet.web.api import api
from bluehelmet.web.audit import views as audit
from bluehelmet.web.reports import downgrade, exports, maps, places, staff, upload
from bluehelmet.web.reports import views as reports

urlpatterns = [
    path("", reports.home, name="home"),
    path("login/", accounts.login_view, name="login"),
    path("logout/", accounts.logout_view, name="logout"),
    path("password/", accounts.password_change, name="password-change"),
    path("membership/", accounts.switch_membership, name="switch-membership"),
    path("reports/", reports.report_list, name="report-list"),
    path("reports/export.csv", reports.export_csv, name="report-export"),
    path("reports/new/", staff.new_report, name="report-new"),
    path("places/", places.search, name="place-search"),
    path("places/<int:pk>/", places.pick, name="place-pick"),
    path("reports/upload/", upload.upload_reports, name="report-upload"),
    path("reports/uploads/<int:pk>/", upload.upload_result, name="report-upload-result"),
    path("reports/uploads/job/<int:pk>/", upload.upload_job, name="report-upload-job"),
    path(
        "reports/uploads/<int:pk>/rejects.csv", upload.upload_rejects, name="report-upload-rejects"
    ),
    path("reports/export/job/", exports.export_job, name="report-export-job"),
    path("jobs/<int:pk>/", reports.job_status, name="job"),
    path("jobs/<int:pk>/download/", reports.job_download, name="job-download"),
    path("reports/<str:uid>/", reports.report_detail, name="report-detail"),
    path("reports/<str:uid>/identity/", reports.reveal_identity, name="report-identity"),
    path("reports/<str:uid>/downgrade/", downgrade.request_downgrade, name="report-downgrade"),
    path(
        "reports/<str:uid>/downgrade/<int:pk>/approve/",
        downgrade.approve_downgrade,
        name="report-downgrade-approve",
    ),
    path("map/", maps.map_page, name="map"),
    path("map/reports.geojson", maps.reports_geojson, name="map-reports"),
    path("map/base.geojson", maps.base_geojson, name="map-base"),
    path("alert/", reports.alert_form, name="alert"),
    path("alert/<str:lang>/", reports.alert_form, name="alert-lang"),
    path("webhooks/twilio/sms/", reports.twilio_webhook, name="twilio-sms"),
    path("audit/", audit.search, name="audit"),
    path("forcegen/", include("bluehelmet.web.forcegen.urls")),
    path("api/", api.urls),
    path("", include("bluehelmet.web.reports.urls")),
]
