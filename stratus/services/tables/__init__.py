"""Tables: a durable DynamoDB-compatible database (items, indexes, expressions,
transactions, streams, TTL). The AWS faces are ``stratus/aws/dynamodb`` and
``stratus/aws/dynamodbstreams``."""
