"""STS tests share the IAM tests' fixtures (an account per test on the shared server)."""

from tests.aws.iam.conftest import account, iam, make_client, sts  # noqa: F401
