from django.urls import path

from schwarmdesk.community import views

app_name = "community"

Q = "questions/<int:pk>/"
A = "answers/<int:pk>/"

urlpatterns = [
    path("", views.home, name="home"),
    path("ask/", views.ask, name="ask"),
    path("ask/suggestions/", views.suggestions, name="suggestions"),
    path("ask/answered/", views.deflect, name="deflect"),
    path("categories/<slug:slug>/", views.category, name="category"),
    path(Q, views.question, name="question"),
    path(Q + "edit/", views.edit_question, name="edit_question"),
    path(Q + "history/", views.history, {"target": "question"}, name="question_history"),
    path(Q + "answer/", views.answer, name="answer"),
    path(Q + "comment/", views.comment, {"target": "question"}, name="question_comment"),
    path(Q + "vote/", views.vote, {"target": "question"}, name="question_vote"),
    path(Q + "solved/", views.solved, name="solved"),
    path(Q + "delete/", views.delete, {"target": "question"}, name="delete_question"),
    path(A + "edit/", views.edit_answer, name="edit_answer"),
    path(A + "history/", views.history, {"target": "answer"}, name="answer_history"),
    path(A + "comment/", views.comment, {"target": "answer"}, name="answer_comment"),
    path(A + "vote/", views.vote, {"target": "answer"}, name="answer_vote"),
    path(A + "accept/", views.accept, name="accept"),
    path(A + "delete/", views.delete, {"target": "answer"}, name="delete_answer"),
    path("comments/<int:pk>/edit/", views.edit_comment, name="edit_comment"),
    path(
        "comments/<int:pk>/history/", views.history, {"target": "comment"}, name="comment_history"
    ),
]
