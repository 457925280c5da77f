"""The OpenAPI document and the docs page are public and describe every endpoint."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("/api/v1/conversations", "get"),
    ("/api/v1/conversations/{conversation_id}", "get"),
    ("/api/v1/conversations/{conversation_id}/messages", "get"),
    ("/api/v1/conversations/{conversation_id}/replies", "post"),
    ("/api/v1/conversations/{conversation_id}/status", "post"),
    ("/api/v1/conversations/{conversation_id}/assignee", "post"),
    ("/api/v1/messages", "get"),
    ("/api/v1/messages/{message_id}/corrections", "post"),
    ("/api/v1/reports/unanswered", "get"),
    ("/api/v1/replies/playbooks", "get"),
    ("/api/v1/replies/conversations/{conversation_id}/drafts", "get"),
    ("/api/v1/replies/held", "get"),
    ("/api/v1/replies/held/{held_id}/approve", "post"),
    ("/api/v1/replies/held/{held_id}/reject", "post"),
    ("/api/v1/assignment/me", "get"),
    ("/api/v1/assignment/me/availability", "post"),
    ("/api/v1/assignment/people", "get"),
    ("/api/v1/assignment/people/{username}", "put"),
    ("/api/v1/assignment/teams", "get"),
    ("/api/v1/assignment/teams/{team_name}", "put"),
    ("/api/v1/assignment/conversations/{conversation_id}/handover", "post"),
    ("/api/v1/assignment/conversations/{conversation_id}/presence", "post"),
    ("/api/v1/moderation/conversations/{conversation_id}/paths", "get"),
    ("/api/v1/moderation/conversations/{conversation_id}/no-reply", "post"),
    ("/api/v1/moderation/messages/{message_id}/duty-of-care", "post"),
    ("/api/v1/moderation/messages/{message_id}/hide", "post"),
    ("/api/v1/moderation/messages/{message_id}/flag", "post"),
    ("/api/v1/moderation/messages/{message_id}/remove", "post"),
    ("/api/v1/followup/conversations/{conversation_id}", "get"),
    ("/api/v1/followup/conversations/{conversation_id}/resolution-check", "post"),
    ("/api/v1/followup/csat", "get"),
    ("/api/v1/escalations/rules", "get"),
    ("/api/v1/escalations/rules", "put"),
    ("/api/v1/escalations/conversations/{conversation_id}", "get"),
    ("/api/v1/escalations/conversations/{conversation_id}/trace", "get"),
    ("/api/v1/escalations/notifications", "get"),
}


def test_the_openapi_document_lists_every_operation_behind_bearer_auth(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")

    document = response.json()
    assert response.status_code == 200
    assert (document["info"]["title"], document["info"]["version"]) == ("careline API", "1")
    listed = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert listed == OPERATIONS
    assert document["components"]["securitySchemes"] == {
        "BearerToken": {"type": "http", "scheme": "bearer"}
    }
    for path, method in OPERATIONS:
        assert document["paths"][path][method]["security"] == [{"BearerToken": []}]


def test_list_operations_document_the_paging_envelope(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()

    envelope = document["components"]["schemas"]["PagedConversationOut"]
    parameters = document["paths"]["/api/v1/conversations"]["get"]["parameters"]
    limit = next(p for p in parameters if p["name"] == "limit")
    assert envelope["required"] == ["count", "items"]
    assert (limit["schema"]["default"], limit["schema"]["maximum"]) == (50, 200)


def test_the_docs_page_is_served(client: Client) -> None:
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert b"/api/v1/openapi.json" in response.content
