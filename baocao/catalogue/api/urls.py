from django.urls import path
from rest_framework.routers import DefaultRouter

from baocao.catalogue.api.views import (
    DimensionViewSet,
    ExpectedReportView,
    FormViewSet,
    IndicatorViewSet,
    PeriodViewSet,
    RegimeViewSet,
    SectorViewSet,
)

router = DefaultRouter(trailing_slash=True)
router.register("sectors", SectorViewSet, basename="sector")
router.register("dimensions", DimensionViewSet, basename="dimension")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("forms", FormViewSet, basename="form")
router.register("regimes", RegimeViewSet, basename="regime")
router.register("periods", PeriodViewSet, basename="period")

urlpatterns = [
    path("expected-reports/", ExpectedReportView.as_view(), name="expected-reports"),
    *router.urls,
]
