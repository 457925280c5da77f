"""X (Twitter): Account Activity webhooks, mentions polling and keyword listening in; replies,
direct messages and hidden replies out. The connector is ``connector.XConnector``."""
