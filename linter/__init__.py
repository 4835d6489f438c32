"""mwaa-lint: a static linter for AWS IAM policies that grant access to Amazon MWAA."""

__version__ = "0.1.0"
