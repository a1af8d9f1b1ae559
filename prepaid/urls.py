app_name = "prepaid"

urlpatterns = []
