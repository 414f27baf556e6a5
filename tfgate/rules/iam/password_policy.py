"""The account password policy: long passwords, not reused (CIS 1.8 and 1.9)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from tfgate.plan.model import Resource
from tfgate.plan.values import Known, View
from tfgate.report import Severity
from tfgate.rules.base import Context, Hit, Rule
from tfgate.rules.support.attributes import is_configured
from tfgate.rules.support.grouped import Problem, grouped_hit


def _setting(
    resource: Resource, view: View, attribute: str, minimum: int, what: str, unset: str
) -> Iterator[Problem]:
    """Judge one numeric setting against its minimum.

    `password_reuse_prevention` is optional and computed: when the configuration leaves it out,
    the plan marks it unknown, yet IAM will keep no password history. Only a value the
    configuration sets and that is known only after apply is `unknown`.
    """
    found = view.get(attribute)
    value = found.value if isinstance(found, Known) else None
    if isinstance(value, int) and not isinstance(value, bool):
        if value < minimum:
            yield Problem(attribute, f"{what} is {value}, less than the required {minimum}")
        return
    if view.is_unknown(attribute) and is_configured(resource, attribute) is not False:
        yield Problem(attribute, f"{attribute} is known only after apply", unknown=True)
        return
    yield Problem(attribute, f"{attribute} is not set: {unset}")


def check_password_policy(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Requires the account password policy to ask for long passwords that are not reused.

    ## What it does
    Reports an `aws_iam_account_password_policy` whose `minimum_password_length` is below
    `min_length` (not set means IAM's default of 6), or whose `password_reuse_prevention` is
    below `min_reuse_prevention` (not set means no password history at all). A value the
    configuration sets but that is known only after apply is reported as `unknown`.

    ## Why it matters
    The password policy applies to every IAM user with a console password. Short passwords fall
    to guessing and to lists of leaked passwords; without reuse prevention, a forced change can
    be undone by setting the old, perhaps leaked, password again.

    ## Example
    ```hcl
    resource "aws_iam_account_password_policy" "fail_weak" {
      minimum_password_length = 8
      require_symbols         = true
    }
    ```

    ## Fix
    Set `minimum_password_length = 14` (or more) and `password_reuse_prevention = 24`. Better
    still, give people no IAM user passwords: sign them in through IAM Identity Center or a
    federated identity provider, where the organisation's password and MFA rules apply.

    ## Parameters
    - `min_length` (integer, default 14): the shortest `minimum_password_length` accepted.
    - `min_reuse_prevention` (integer, default 24): the fewest previous passwords IAM must refuse
      to reuse.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 1.8 and 1.9
    - PCI DSS v4.0, 8.3.6 (at least 12 characters) and 8.3.7 (not one of the last 4)
    - AWS Config rule `iam-password-policy`
    """
    length, reuse = int(params["min_length"]), int(params["min_reuse_prevention"])

    def problems(resource: Resource, view: View) -> list[Problem]:
        return [
            *_setting(
                resource,
                view,
                "minimum_password_length",
                length,
                "the minimum password length",
                "IAM accepts passwords of 6 characters",
            ),
            *_setting(
                resource,
                view,
                "password_reuse_prevention",
                reuse,
                "the number of previous passwords that cannot be reused",
                "IAM lets a user set a previous password again",
            ),
        ]

    yield from grouped_hit(resource, view, problems)


PASSWORD_POLICY = Rule(
    id="TFG-IAM-024",
    name="weak-account-password-policy",
    title="Account password policy allows short or reused passwords",
    severity=Severity.MEDIUM,
    resource_types=frozenset({"aws_iam_account_password_policy"}),
    controls={
        "CIS-AWS-3.0": ("1.8", "1.9"),
        "PCI-DSS-4.0": ("8.3.6", "8.3.7"),
        "GDPR": ("Art. 25",),
        "NRB": ("IT-2012-4-access-control",),
    },
    check=check_password_policy,
    params_schema={
        "type": "object",
        "properties": {
            "min_length": {"type": "integer", "minimum": 6, "maximum": 128},
            "min_reuse_prevention": {"type": "integer", "minimum": 0, "maximum": 24},
        },
    },
    defaults={"min_length": 14, "min_reuse_prevention": 24},
)
