"""One handler per resource type, each provisioning through our own AWS APIs."""
