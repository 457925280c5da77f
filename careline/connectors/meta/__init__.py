"""Meta connectors (Facebook Page comments, Instagram, Messenger): see connector.py."""
