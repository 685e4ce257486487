from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "trustledger.feedback"
    label = "feedback"
    verbose_name = "Voice of the client"
