"""The real task engine: deliveries queued in the database and run by the worker command."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client

from careline.connectors.generic.connector import sign
from careline.inbox.models import Channel, Message
from careline.ingestion.models import EventStatus, InboundEvent
from conftest import GENERIC_SECRET

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
def test_a_webhook_delivery_waits_in_the_queue_until_a_worker_runs_it(
    client: Client, generic_channel: Channel, settings
) -> None:
    settings.TASKS = DB_QUEUE
    body = json.dumps(
        {"id": "q-1", "author": {"id": "u1"}, "text": "hello", "created_at": "2026-11-02T09:00:00Z"}
    ).encode()

    response = client.post(
        "/hooks/generic/shop-webhook",
        data=body,
        content_type="application/json",
        headers={"X-Careline-Signature": sign(GENERIC_SECRET, body)},
    )

    assert response.status_code == 202
    assert InboundEvent.objects.get().status == EventStatus.PENDING
    assert Message.objects.count() == 0

    call_command("db_worker", batch=True, reload=False, interval=0.1, verbosity=0)

    assert InboundEvent.objects.get().status == EventStatus.DONE
    assert Message.objects.get().external_id == "q-1"
