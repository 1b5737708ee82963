"""The event bus: EventBridge's buses, rules, targets and durable delivery."""
