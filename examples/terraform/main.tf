variable "environment_name" {
  type    = string
  default = "ingest-prod"
}

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

resource "aws_mwaa_environment" "this" {
  name                  = var.environment_name
  airflow_version       = "2.5.1"
  webserver_access_mode = "PUBLIC_ONLY"
  execution_role_arn    = aws_iam_role.execution.arn
  source_bucket_arn     = "arn:aws:s3:::ingest-dags"
  dag_s3_path           = "dags"
}

resource "aws_iam_role" "execution" {
  name = "ingest-mwaa-execution"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = ["airflow.amazonaws.com", "airflow-env.amazonaws.com"] }
      Action    = "sts:AssumeRole"
    }]
  })
}

# mwaa-lint: calls POST /dags/{dag_id}/dagRuns
resource "aws_iam_role_policy" "scheduler" {
  role = aws_iam_role.execution.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["airflow:InvokeRestApi", "airflow:CreateCliToken"]
        Resource = [
          "arn:aws:airflow:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:role/${aws_mwaa_environment.this.name}/admin",
          "arn:aws:airflow:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:environment/${aws_mwaa_environment.this.name}",
        ]
      },
    ]
  })
}
