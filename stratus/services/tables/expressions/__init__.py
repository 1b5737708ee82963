"""DynamoDB's expression language: condition, filter, key condition, update and
projection expressions, parsed into small ASTs (``ast``), checked against the request's
ExpressionAttributeNames / Values (``placeholders``), evaluated on items (``evaluate``,
``update``)."""
