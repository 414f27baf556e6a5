"""tfgate: a compliance gate for Terraform plans on AWS."""

__version__ = "0.1.0"
