"""Practice cases and attempts."""

urlpatterns = []
