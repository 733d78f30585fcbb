"""Sending alerts and customer messages: robots, webhooks and email, a state of what was sent,
retries and rate limits. Sits between the command line and the views it renders messages with."""
