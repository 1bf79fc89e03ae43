from rest_framework.routers import DefaultRouter

from baocao.organisations.api.views import ChangeEventViewSet, UnitViewSet

router = DefaultRouter(trailing_slash=True)
router.register("units", UnitViewSet, basename="unit")
router.register("unit-changes", ChangeEventViewSet, basename="unit-change")

urlpatterns = router.urls
