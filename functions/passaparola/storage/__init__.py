"""Adapters to AWS: DynamoDB, SQS, SES and Secrets Manager. The only code that calls boto3."""
