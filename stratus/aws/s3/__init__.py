"""S3 (rest-xml) over the object store service."""
