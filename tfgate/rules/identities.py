"""Rules on IAM identities: users for people, console passwords, long-lived keys."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from tfgate.plan.model import Resource
from tfgate.plan.values import View
from tfgate.report import Severity
from tfgate.rules.base import Context, Hit, Rule

USER_CONTROLS: Mapping[str, tuple[str, ...]] = {
    "CIS-AWS-3.0": ("1.15", "1.21"),
    "AWS-WA-SEC": ("SEC02-BP04",),
    "HIPAA": ("164.308(a)(3)(ii)(B)", "164.312(a)(2)(i)"),
    "PCI-DSS-4.0": ("8.2.1", "8.2.2"),
    "NRB": ("IT-2012-4-access-control",),
}


def check_iam_user(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags every IAM user the plan creates.

    ## What it does
    Reports each `aws_iam_user` that the plan creates or imports. An IAM user that already exists
    and is only updated (for example its tags) is reported as `existing`.

    ## Why it matters
    IAM users carry long-lived credentials that outlive the people and jobs they were made for.
    People should sign in through a central identity provider (IAM Identity Center or SAML/OIDC
    federation) and workloads should use roles, so that access is temporary, attributable and
    revoked in one place.

    ## Example
    ```hcl
    resource "aws_iam_user" "fail_alice" {
      name = "alice"
    }
    ```

    ## Fix
    Give people access through IAM Identity Center permission sets or a federated role, and
    workloads through an IAM role (instance profile, IRSA, GitHub OIDC) instead of an IAM user.

    ## Parameters
    None.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 1.15 and 1.21
    - AWS Well-Architected, SEC02-BP04 (rely on a centralised identity provider)
    """
    yield Hit("is an IAM user: people should sign in through federation, workloads use roles")


IAM_USER = Rule(
    id="TFG-IAM-001",
    name="iam-user-created",
    title="IAM user created",
    severity=Severity.HIGH,
    resource_types=frozenset({"aws_iam_user"}),
    controls=USER_CONTROLS,
    check=check_iam_user,
)


def check_access_key(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags long-lived access keys, including new keys for users that already exist.

    ## What it does
    Reports each `aws_iam_access_key` the plan creates, replaces or imports, whatever its
    `status` and whether or not a `pgp_key` encrypts the secret. A replacement mints a new secret,
    so it counts as introduced even though a key existed before; an unchanged key is `existing`.

    ## Why it matters
    An access key is a password that never expires: it is copied into CI settings, laptops and
    scripts, and is the most common way AWS accounts are breached. Terraform also stores the
    secret in its state file.

    ## Example
    ```hcl
    resource "aws_iam_access_key" "fail_ci" {
      user = "deployer"
    }
    ```

    ## Fix
    Replace the key with temporary credentials: an IAM role assumed through OIDC (GitHub
    Actions, GitLab), an instance profile, or IAM Roles Anywhere for workloads outside AWS.

    ## Parameters
    None.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 1.11 and 1.14
    - AWS Well-Architected, SEC02-BP02 (use temporary credentials)
    """
    minted = view.is_unknown("id") or view.is_unknown("secret")
    if minted:
        yield Hit("creates a long-lived access key (a new secret)", key="new-secret")
    else:
        yield Hit("keeps a long-lived access key", key="key")


ACCESS_KEY = Rule(
    id="TFG-IAM-002",
    name="long-lived-access-key",
    title="Long-lived access key created",
    severity=Severity.CRITICAL,
    resource_types=frozenset({"aws_iam_access_key"}),
    controls={
        "CIS-AWS-3.0": ("1.11", "1.14"),
        "AWS-WA-SEC": ("SEC02-BP02",),
        "HIPAA": ("164.308(a)(3)(ii)(C)", "164.312(a)(2)(i)"),
        "PCI-DSS-4.0": ("8.2.2", "8.3.9", "8.6.3"),
        "NRB": ("IT-2012-4-access-control",),
    },
    check=check_access_key,
)


def check_login_profile(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags console passwords for IAM users.

    ## What it does
    Reports each `aws_iam_user_login_profile`, which gives an IAM user a password for the AWS
    console.

    ## Why it matters
    A console password is a long-lived, phishable credential; MFA on IAM users is enforced only
    by policy and is easy to get wrong. Console access belongs to federated identities whose MFA
    and lifecycle are managed centrally.

    ## Example
    ```hcl
    resource "aws_iam_user_login_profile" "fail_console" {
      user = "alice"
    }
    ```

    ## Fix
    Remove the login profile and give the person console access through IAM Identity Center or
    a federated role.

    ## Parameters
    None.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 1.10
    - AWS Well-Architected, SEC02-BP04
    """
    yield Hit("gives an IAM user a console password")


LOGIN_PROFILE = Rule(
    id="TFG-IAM-003",
    name="iam-user-console-password",
    title="Console password for an IAM user",
    severity=Severity.MEDIUM,
    resource_types=frozenset({"aws_iam_user_login_profile"}),
    controls={
        "CIS-AWS-3.0": ("1.10",),
        "AWS-WA-SEC": ("SEC02-BP04",),
        "HIPAA": ("164.312(d)",),
        "PCI-DSS-4.0": ("8.4.1", "8.4.2"),
        "NRB": ("IT-2012-4-access-control",),
    },
    check=check_login_profile,
)

_USER_ATTACHMENTS = {
    "aws_iam_user_policy": "attaches an inline policy directly to an IAM user",
    "aws_iam_user_policy_attachment": "attaches a managed policy directly to an IAM user",
    "aws_iam_user_group_membership": "adds an IAM user to groups",
}


def check_user_permissions(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags permissions given to IAM users: inline and managed policies, and group membership.

    ## What it does
    Reports `aws_iam_user_policy`, `aws_iam_user_policy_attachment`,
    `aws_iam_user_group_membership`, `aws_iam_group_membership` and `aws_iam_policy_attachment`
    when they give permissions to IAM users. An `aws_iam_policy_attachment` whose `users` list is
    empty is not reported. Each user named in a list is reported once, so adding a user to an
    existing attachment is introduced while the users already there stay `existing`.

    ## Why it matters
    Permissions on IAM users mean people or workloads hold long-lived credentials with those
    permissions. Grants belong on roles that identities assume for a short session.

    ## Example
    ```hcl
    resource "aws_iam_user_policy_attachment" "fail_admin" {
      user       = "alice"
      policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    }
    ```

    ## Fix
    Attach the policy to a role (or an IAM Identity Center permission set) and let the person or
    workload assume it.

    ## Parameters
    None.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 1.15
    - PCI DSS v4.0, 7.2.1
    """
    if resource.type in _USER_ATTACHMENTS:
        yield Hit(_USER_ATTACHMENTS[resource.type])
        return
    if view.is_unknown("users"):
        yield Hit(
            "may attach a policy to IAM users (the user list is known only after apply)",
            key="users-unknown",
            unknown=True,
        )
        return
    names = view.value("users")
    if isinstance(names, list):
        for name in sorted(str(user) for user in names):
            what = "a policy" if resource.type == "aws_iam_policy_attachment" else "a group"
            yield Hit(f"gives IAM user {name!r} {what}", key=f"user:{name}")


USER_PERMISSIONS = Rule(
    id="TFG-IAM-004",
    name="iam-user-permissions",
    title="Permissions attached directly to IAM users",
    severity=Severity.LOW,
    resource_types=frozenset(
        {*_USER_ATTACHMENTS, "aws_iam_group_membership", "aws_iam_policy_attachment"}
    ),
    controls={
        "CIS-AWS-3.0": ("1.15",),
        "PCI-DSS-4.0": ("7.2.1", "7.2.2"),
        "NRB": ("IT-2012-4-access-control",),
    },
    check=check_user_permissions,
)
