"""What several rule families share: policy documents, KMS references, S3 buckets."""
