"""Topics: SNS's pub/sub (topics, subscriptions, filtered fan-out, durable deliveries)."""
