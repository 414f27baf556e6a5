"""One exception base and a subclass per layer.

Every error names where the problem is (a file, and a JSON pointer or line inside it) and never
quotes a value taken from the input: inputs may hold secrets.
"""

from __future__ import annotations

from tfgate.redact import TextKind, outgoing


class TfgateError(Exception):
    """Anything that stops tfgate from judging: the CLI turns it into one line and exit 2."""

    def __init__(self, message: str, *, source: str | None = None, pointer: str | None = None):
        super().__init__(message)
        self.message = message
        self.source = source
        self.pointer = pointer

    def __str__(self) -> str:
        """One line, whatever the file name, pointer or quoted key holds: control characters
        are escaped and credential shapes masked (see `tfgate.redact.outgoing`)."""
        where = outgoing(self.source, TextKind.PATH) if self.source else ""
        if self.pointer:
            pointer = outgoing(self.pointer)
            where = f"{where} at {pointer}" if where else pointer
        message = outgoing(self.message)
        return f"{where}: {message}" if where else message


class PlanError(TfgateError):
    """The input is not a plan tfgate can judge."""


class PolicyError(TfgateError):
    """An IAM policy document cannot be parsed or is structurally invalid."""


class ProfileError(TfgateError):
    """A profile is missing, malformed, or refers to something that does not exist."""


class ConfigError(TfgateError):
    """tfgate.yaml or a waivers file is malformed."""


class RuleError(TfgateError):
    """A rule crashed while judging a resource; the engine turns it into an error finding."""
