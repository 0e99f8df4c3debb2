from django.urls import path

from . import views, views_surveys

app_name = "service"

urlpatterns = [
    path("cases/", views.CaseList.as_view(), name="case_list"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/reporter/", views.case_reporter, name="case_reporter"),
    path("cases/<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("cases/<int:pk>/track/", views.case_track, name="case_track"),
    path("cases/<int:pk>/reply/", views.case_reply, name="case_reply"),
    path("cases/<int:pk>/rate/", views.case_rate, name="case_rate"),
    path("cases/<int:pk>/archive/", views.case_archive, name="case_archive"),
    path("cases/<int:pk>/extend/", views.case_extend, name="case_extend"),
    path("cases/<int:pk>/inspection/", views.case_inspection, name="case_inspection"),
    path("consultations/", views.ConsultationList.as_view(), name="consultation_list"),
    path("consultations/new/", views.consultation_new, name="consultation_new"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("consultations/<int:pk>/take/", views.consultation_take, name="consultation_take"),
    path("consultations/<int:pk>/answer/", views.consultation_answer, name="consultation_answer"),
    path("knowledge/", views.KnowledgeList.as_view(), name="knowledge_list"),
    path("knowledge/new/", views.knowledge_new, name="knowledge_new"),
    path("knowledge/<int:pk>/", views.knowledge_edit, name="knowledge_edit"),
    path("mine/", views.my_service, name="my_service"),
    path("surveys/", views_surveys.SurveyList.as_view(), name="survey_list"),
    path("surveys/new/", views_surveys.survey_new, name="survey_new"),
    path("surveys/<int:pk>/", views_surveys.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/close/", views_surveys.survey_close, name="survey_close"),
    path("surveys/<int:pk>/analysis/", views_surveys.survey_analysis, name="survey_analysis"),
    path("surveys/<int:pk>/analysis.<str:fmt>", views_surveys.survey_export, name="survey_export"),
    path("surveys/<int:pk>/suggestions/", views_surveys.suggestion_add, name="suggestion_add"),
    path("suggestions/<int:pk>/done/", views_surveys.suggestion_done, name="suggestion_done"),
    path("respondents/<int:pk>/", views_surveys.respondent_answer, name="respondent_answer"),
    path("templates/", views_surveys.template_list, name="template_list"),
    path("templates/<int:pk>/approve/", views_surveys.template_approve, name="template_approve"),
    path("campaigns/", views_surveys.campaign_list, name="campaign_list"),
]
