"""CloudFormation stacks: templates, the SAM transform, provisioning through our own APIs."""
