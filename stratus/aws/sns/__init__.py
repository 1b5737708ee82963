"""The SNS API adapter and the topics component."""
