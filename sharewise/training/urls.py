from sharewise.training.views import assignment_urls, practice_urls

urlpatterns = [*practice_urls.urlpatterns, *assignment_urls.urlpatterns]
