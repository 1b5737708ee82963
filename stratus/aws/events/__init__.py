"""EventBridge: the events API adapter, its component and Step Functions integration."""
