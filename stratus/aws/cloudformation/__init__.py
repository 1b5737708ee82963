"""CloudFormation's API over the stacks service."""
