"""Which connector serves a platform. Imported lazily so a platform's code loads only when used."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from typing import Any

from careline.connectors.base import Connector, ConnectorError

_CONNECTORS = {
    "generic": "careline.connectors.generic.connector.GenericConnector",
    "facebook": "careline.connectors.meta.connector.FacebookConnector",
    "instagram": "careline.connectors.meta.connector.InstagramConnector",
    "messenger": "careline.connectors.meta.connector.MessengerConnector",
    "x": "careline.connectors.x.connector.XConnector",
    "mastodon": "careline.connectors.mastodon.connector.MastodonConnector",
    "bluesky": "careline.connectors.bluesky.connector.BlueskyConnector",
}
META_PLATFORMS = frozenset({"facebook", "instagram", "messenger"})


def connector_class(platform: str) -> type[Connector]:
    path = _CONNECTORS.get(platform)
    if path is None:
        raise ConnectorError(f"no connector for platform {platform!r}", permanent=True)
    module_name, class_name = path.rsplit(".", 1)
    cls: type[Connector] = getattr(import_module(module_name), class_name)
    return cls


def connector_for(
    platform: str, *, credentials: Mapping[str, Any], account_id: str = ""
) -> Connector:
    """The connector for a channel. A channel of any platform with a ``callback_url`` relays
    through the generic connector (for bridges such as n8n, and for the demo)."""
    if platform != "generic" and credentials.get("callback_url"):
        platform = "generic"
    return connector_class(platform)(credentials=credentials, account_id=account_id)
