"""Attacks a pull request's author could try, one module per class of the threat model."""
