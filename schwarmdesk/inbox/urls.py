from django.urls import path

from schwarmdesk.inbox import views

app_name = "inbox"

urlpatterns = [
    path("", views.index, name="index"),
    path("list/", views.conversation_list, name="list"),
    path("availability/", views.availability, name="availability"),
    path("c/<int:conversation_id>/", views.conversation, name="conversation"),
    path("c/<int:conversation_id>/live/", views.live, name="live"),
    path("c/<int:conversation_id>/related/", views.related, name="related"),
    path("c/<int:conversation_id>/reply/", views.reply, name="reply"),
    path("c/<int:conversation_id>/note/", views.note, name="note"),
    path("c/<int:conversation_id>/assign/", views.assign, name="assign"),
    path("c/<int:conversation_id>/update/", views.update, name="update"),
    path("c/<int:conversation_id>/replying/", views.replying, name="replying"),
    path("c/<int:conversation_id>/merge/", views.merge, name="merge"),
    path("c/<int:conversation_id>/split/", views.split, name="split"),
    path("c/<int:conversation_id>/merges/<int:merge_id>/undo/", views.unmerge, name="unmerge"),
    path("deliveries/<int:delivery_id>/retry/", views.retry, name="retry"),
]
