"""IAM semantics: wildcard matching, the airflow action table, ARN classification."""
