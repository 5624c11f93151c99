"""Routes of triage, the operations picture's layers and the exports (included by web/urls.py)."""

from django.urls import path

from bluehelmet.web.reports import exports, maps, triage

urlpatterns = [
    path("incidents/", triage.incident_list, name="incident-list"),
    path("incidents/triage/", triage.triage, name="triage"),
    path("incidents/accept/", triage.accept, name="incident-accept"),
    path("incidents/<str:uid>/", triage.incident_detail, name="incident-detail"),
    path("incidents/<str:uid>/split/", triage.split, name="incident-split"),
    path("incidents/<str:uid>/merge/", triage.merge, name="incident-merge"),
    path("incidents/<str:uid>/downgrade/", triage.downgrade, name="incident-downgrade"),
    path(
        "incidents/<str:uid>/downgrade/<int:pk>/approve/",
        triage.approve_downgrade,
        name="incident-downgrade-approve",
    ),
    path("map/incidents.geojson", maps.incidents_geojson, name="map-incidents"),
    path("map/hotspots.geojson", maps.hotspots_geojson, name="map-hotspots"),
    path("map/risk.geojson", maps.risk_geojson, name="map-risk"),
    path("map/bases.geojson", maps.bases_geojson, name="map-bases"),
    path("map/units.geojson", maps.units_geojson, name="map-units"),
    path("export/<slug:layer>.<slug:fmt>", exports.export, name="export"),
]
