from django.urls import path

from . import views

app_name = "review"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("nieuw/", views.item_new, name="new"),
    path("<int:pk>/", views.item_detail, name="item"),
    path("<int:pk>/reactie/", views.comment_add, name="comment"),
    path("reacties/<int:pk>/antwoord/", views.answer_add, name="answer"),
]
