"""URL routes of the force-generation workspace (under ``/forcegen/``)."""

from django.urls import path

from bluehelmet.web.forcegen import planviews, views

app_name = "forcegen"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("pledges/", views.pledge_list, name="pledges"),
    path("pledges/new/", views.pledge_new, name="pledge-new"),
    path("pledges/export.csv", views.pledge_export, name="pledge-export"),
    path("pledges/import/", views.pledge_import, name="pledge-import"),
    path("pledges/<str:uid>/", views.pledge_detail, name="pledge"),
    path("pledges/<str:uid>/stage/", views.pledge_stage, name="pledge-stage"),
    path("pledges/<str:uid>/release/", views.pledge_release, name="pledge-release"),
    path("pledges/<str:uid>/withdraw/", views.pledge_withdraw, name="pledge-withdraw"),
    path("requirements/", planviews.requirement_list, name="requirements"),
    path("requirements/save/", planviews.requirement_save, name="requirement-save"),
    path("requirements/deployments/", planviews.deployments_import, name="deployments-import"),
    path("plans/", planviews.plan_list, name="plans"),
    path("plans/start/", planviews.plan_start, name="plan-start"),
    path("plans/compare/", planviews.plan_compare, name="plan-compare"),
    path("plans/<int:pk>/", planviews.plan_detail, name="plan"),
    path("plans/<int:pk>/choose/", planviews.plan_choose, name="plan-choose"),
    path("plans/<int:pk>/publish/", planviews.plan_publish, name="plan-publish"),
    path("plans/<int:pk>/files/<str:name>", planviews.plan_file, name="plan-file"),
    path("requests/", planviews.request_list, name="requests"),
]
