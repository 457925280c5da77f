from django.apps import AppConfig


class IngestionConfig(AppConfig):
    name = "careline.ingestion"
    label = "ingestion"
    verbose_name = "Ingestion"
