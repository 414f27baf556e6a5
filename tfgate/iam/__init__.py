"""IAM policy analysis: `policy` parses documents, `actions` is the action catalogue, `analysis`
answers what a document grants. Import the submodules directly; this package imports nothing so
that loading one of them stays cheap."""
