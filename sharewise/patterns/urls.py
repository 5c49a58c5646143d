from django.urls import path

from sharewise.patterns import views

urlpatterns = [
    path("oversight/", views.dashboard, name="oversight"),
    path(
        "oversight/services/<int:service_id>/<slug:category>/",
        views.heat_cell,
        name="heat_cell",
    ),
    path("alerts/", views.alert_list, name="alert_list"),
    path("cases/<int:case_id>/", views.case_page, name="case"),
    path("cases/<int:case_id>/acknowledge/", views.acknowledge_case, name="acknowledge_case"),
    path("cases/<int:case_id>/decision/", views.decide_case, name="decide_case"),
    path("alerts/<int:alert_id>/", views.alert_page, name="alert"),
    path("alerts/<int:alert_id>/acknowledge/", views.acknowledge_alert, name="acknowledge_alert"),
    path("alerts/<int:alert_id>/decision/", views.decide_alert, name="decide_alert"),
    path("notifications/", views.notifications, name="notifications"),
    path("policy/patterns/backtest/", views.backtest_policy, name="backtest_policy"),
]
