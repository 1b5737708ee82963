"""Identity: IAM's users, groups, roles, policies and instance profiles, and STS's
temporary credentials, per account. Policies are stored and validated, never enforced."""
