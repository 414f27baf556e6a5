"""Rules on IAM identities: users for people, console passwords, long-lived keys, managed
administrator policies, permissions boundaries, service-linked roles, OIDC providers and role
session length."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from tfgate.plan.model import Resource
from tfgate.plan.values import View
from tfgate.report import Severity
from tfgate.rules.base import Context, Hit, Kind, Rule

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

# ------------------------------------------------------------------------------------------------
# TFG-IAM-005 admin-equivalent AWS managed policies

ADMIN_MANAGED_POLICIES: Mapping[str, Severity] = {
    "AdministratorAccess": Severity.CRITICAL,
    "IAMFullAccess": Severity.HIGH,
    "PowerUserAccess": Severity.HIGH,
    "AdministratorAccess-Amplify": Severity.HIGH,
    "AWSOrganizationsFullAccess": Severity.HIGH,
}
_MANAGED_ARN = re.compile(r"^arn:aws(?:-cn|-us-gov)?:iam::aws:policy/(?:[^/]+/)*([^/]+)$")
_POLICY_ARN_ATTRIBUTES: Mapping[str, str] = {
    "aws_iam_role_policy_attachment": "policy_arn",
    "aws_iam_user_policy_attachment": "policy_arn",
    "aws_iam_group_policy_attachment": "policy_arn",
    "aws_iam_policy_attachment": "policy_arn",
    "aws_iam_role": "managed_policy_arns",
    "aws_iam_role_policy_attachments_exclusive": "policy_arns",
    "aws_iam_user_policy_attachments_exclusive": "policy_arns",
    "aws_iam_group_policy_attachments_exclusive": "policy_arns",
    "aws_ssoadmin_managed_policy_attachment": "managed_policy_arn",
}


def _arns(view: View, attribute: str) -> list[str]:
    value = view.value(attribute)
    values = value if isinstance(value, list) else [value]
    return [item for item in values if isinstance(item, str)]


def check_admin_managed_policy(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags AWS managed policies that amount to administrator access.

    ## What it does
    Reports attachments of `AdministratorAccess` (critical), `IAMFullAccess`,
    `PowerUserAccess`, `AdministratorAccess-Amplify` and `AWSOrganizationsFullAccess` (high),
    in any partition (`arn:aws:`, `arn:aws-cn:`, `arn:aws-us-gov:`), through
    `aws_iam_*_policy_attachment`, `aws_iam_policy_attachment`, `aws_iam_role.managed_policy_arns`,
    the `aws_iam_*_policy_attachments_exclusive` resources and
    `aws_ssoadmin_managed_policy_attachment`. `ReadOnlyAccess` and job-function view-only
    policies pass.

    ## Why it matters
    These AWS managed policies grant everything, or enough of IAM to grant oneself everything:
    the same exposure as a custom `Action "*"` policy, but invisible to policy-document checks.

    ## Example
    ```hcl
    resource "aws_iam_role_policy_attachment" "fail_admin" {
      role       = "deployer"
      policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    }
    ```

    ## Fix
    Attach a customer managed policy with the actions the role needs; keep administrator
    access for a break-glass role or permission set.

    ## Parameters
    None.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 1.16
    - checkov CKV_AWS_274, CKV_AWS_275
    """
    attribute = _POLICY_ARN_ATTRIBUTES.get(resource.type)
    if attribute is None:
        return
    for arn in sorted(set(_arns(view, attribute))):
        match = _MANAGED_ARN.match(arn)
        severity = ADMIN_MANAGED_POLICIES.get(match.group(1)) if match else None
        if severity is not None:
            yield Hit(
                f"attaches the AWS managed policy {arn}, which is administrator-equivalent",
                key=f"managed:{arn.split(':', 5)[-1]}",
                severity=severity,
            )


ADMIN_MANAGED_POLICY = Rule(
    id="TFG-IAM-005",
    name="admin-managed-policy-attached",
    title="Administrator-equivalent AWS managed policy attached",
    severity=Severity.HIGH,
    resource_types=frozenset(_POLICY_ARN_ATTRIBUTES),
    controls={
        "CIS-AWS-3.0": ("1.16",),
        "AWS-WA-SEC": ("SEC03-BP02",),
        "HIPAA": ("164.308(a)(3)(ii)(B)",),
        "PCI-DSS-4.0": ("7.2.1", "7.2.2"),
        "NRB": ("IT-2012-4-access-control",),
    },
    check=check_admin_managed_policy,
)

# ------------------------------------------------------------------------------------------------
# TFG-IAM-006 permissions boundary

_SERVICE_ROLE_PATH = "/aws-service-role/"


def check_permissions_boundary(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags roles and users without the required permissions boundary.

    ## What it does
    Reports each `aws_iam_role` and `aws_iam_user` whose `permissions_boundary` is empty, or,
    when `required_boundary_arn` is set, names another policy. A boundary known only after
    apply (a boundary policy created in the same plan) passes: it is set, and its ARN cannot be
    compared before apply. Service-linked roles (path `/aws-service-role/`) are exempt. The
    rule is off in the baseline profile; profiles that delegate IAM to teams turn it on.

    ## Why it matters
    When teams may create their own roles, the boundary is the ceiling that keeps a role they
    create from exceeding what the platform allows; a role without it escapes the delegation
    model.

    ## Example
    ```hcl
    resource "aws_iam_role" "fail_unbounded" {
      name               = "team-app"
      assume_role_policy = data.aws_iam_policy_document.ecs_tasks.json
    }
    ```

    ## Fix
    Set `permissions_boundary` to the organization's boundary policy ARN.

    ## Parameters
    - `required_boundary_arn` (string, default empty): the boundary every role and user must
      have; empty accepts any boundary.

    ## References
    - AWS IAM User Guide, "Permissions boundaries for IAM entities"
    - AWS Well-Architected, SEC03-BP05 (define permission guardrails)
    """
    path = view.value("path")
    if isinstance(path, str) and path.startswith(_SERVICE_ROLE_PATH):
        return
    if view.is_unknown("permissions_boundary"):
        return
    boundary = view.value("permissions_boundary")
    required = str(params.get("required_boundary_arn") or "")
    kind = "role" if resource.type == "aws_iam_role" else "user"
    if not boundary:
        yield Hit(f"this {kind} has no permissions boundary", key="missing")
    elif required and boundary != required:
        yield Hit(
            f"this {kind}'s permissions boundary is {boundary}, not the required {required}",
            key="other",
        )


PERMISSIONS_BOUNDARY = Rule(
    id="TFG-IAM-006",
    name="permissions-boundary-missing",
    title="Role or user without the required permissions boundary",
    severity=Severity.MEDIUM,
    resource_types=frozenset({"aws_iam_role", "aws_iam_user"}),
    controls={
        "AWS-WA-SEC": ("SEC03-BP05",),
        "PCI-DSS-4.0": ("7.2.1",),
        "NRB": ("IT-2012-4-access-control",),
    },
    check=check_permissions_boundary,
    params_schema={
        "type": "object",
        "properties": {"required_boundary_arn": {"type": "string"}},
        "additionalProperties": False,
    },
    defaults={"required_boundary_arn": ""},
)

# ------------------------------------------------------------------------------------------------
# TFG-IAM-007 service-linked roles modified

_SLR_NAME = "AWSServiceRoleFor"
_SLR = "aws_iam_service_linked_role"
_ROLE_POLICY_TYPES = frozenset(
    {"aws_iam_role_policy", "aws_iam_role_policy_attachment", "aws_iam_policy_attachment"}
)


def _service_linked(name: str) -> bool:
    return name.startswith(_SLR_NAME)


def _slr_references(resource: Resource, ctx: Context, attribute: str) -> bool:
    return any(target.type == _SLR for target in ctx.targets(resource, attribute))


def check_service_linked_role_modified(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags changes to service-linked roles.

    ## What it does
    Reports a plan that deletes or replaces an `aws_iam_service_linked_role`, changes its
    `aws_service_name` (high) or only its `description`/`custom_suffix` (low); that attaches or
    writes a policy on a service-linked role (`aws_iam_role_policy`,
    `aws_iam_role_policy_attachment`, `aws_iam_policy_attachment` whose role is named
    `AWSServiceRoleFor...` or is an `aws_iam_service_linked_role` of the plan); or that creates
    or changes an `aws_iam_role` under the path `/aws-service-role/`. Creating a new
    service-linked role is normal and passes.

    ## Why it matters
    Service-linked roles belong to AWS services (GuardDuty, Config, Organizations, Security
    Hub): their permissions are defined by AWS and the services stop working, or start doing
    more, when the roles are edited or removed.

    ## Example
    ```hcl
    resource "aws_iam_role_policy_attachment" "fail_slr_extra" {
      role       = "AWSServiceRoleForAmazonGuardDuty"
      policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    }
    ```

    ## Fix
    Leave service-linked roles to the services; give extra permissions to a role of your own.

    ## Parameters
    None.

    ## References
    - AWS IAM User Guide, "Using service-linked roles"
    - AWS Well-Architected, SEC03-BP05
    """
    if not resource.changes and not resource.deletes:
        return
    after = resource.after
    if resource.type == _SLR:
        before = resource.before
        service = before.value("aws_service_name") or after.value("aws_service_name")
        if resource.deletes:
            verb = "replaces" if resource.creates else "deletes"
            yield Hit(f"{verb} the service-linked role of {service}", key="delete")
        elif before.values is not None and after.values is not None:
            changed = [
                name
                for name in ("aws_service_name", "custom_suffix", "description")
                if before.value(name) != after.value(name) or after.is_unknown(name)
            ]
            if "aws_service_name" in changed:
                yield Hit(f"changes the service of the service-linked role of {service}")
            elif changed:
                yield Hit(
                    f"changes the {' and '.join(changed)} of the service-linked role of {service}",
                    key="description",
                    severity=Severity.LOW,
                )
        return
    if resource.deletes and not resource.creates:
        return
    if resource.type == "aws_iam_role":
        path = after.value("path")
        if isinstance(path, str) and path.startswith(_SERVICE_ROLE_PATH):
            yield Hit(f"manages a role under the service-linked path {path}", key="path")
        return
    if resource.type in _ROLE_POLICY_TYPES:
        attribute = "roles" if resource.type == "aws_iam_policy_attachment" else "role"
        value = after.value(attribute)
        names = value if isinstance(value, list) else [value]
        linked = sorted(n for n in names if isinstance(n, str) and _service_linked(n))
        if _slr_references(resource, ctx, attribute):
            linked.append("a service-linked role of this plan")
        for name in linked:
            yield Hit(f"changes the permissions of the service-linked role {name}", key=name)


SERVICE_LINKED_ROLE_MODIFIED = Rule(
    id="TFG-IAM-007",
    name="service-linked-role-modified",
    title="Service-linked role modified",
    severity=Severity.HIGH,
    resource_types=frozenset({_SLR, "aws_iam_role", *_ROLE_POLICY_TYPES}),
    controls={
        "AWS-WA-SEC": ("SEC03-BP05",),
        "PCI-DSS-4.0": ("7.2.1",),
        "NRB": ("IT-2012-4-access-control",),
    },
    check=check_service_linked_role_modified,
    kind=Kind.CHANGE,
)

# ------------------------------------------------------------------------------------------------
# TFG-IAM-008 OIDC provider audiences

_GITHUB_ISSUER = "token.actions.githubusercontent.com"


def check_oidc_audiences(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags GitHub OIDC providers that accept unexpected audiences.

    ## What it does
    Reports each audience in the `client_id_list` of an `aws_iam_openid_connect_provider` for
    GitHub Actions (`token.actions.githubusercontent.com`, or a GitHub Enterprise issuer under
    it) that is not one of the expected `audiences` (`sts.amazonaws.com` by default).

    ## Why it matters
    STS accepts a GitHub token for a role only when its audience is in the provider's list; an
    extra audience admits tokens minted for another purpose (another cloud, a custom action),
    and roles that do not pin `aud` then accept them.

    ## Example
    ```hcl
    resource "aws_iam_openid_connect_provider" "fail_github" {
      url            = "https://token.actions.githubusercontent.com"
      client_id_list = ["sts.amazonaws.com", "api://AzureADTokenExchange"]
    }
    ```

    ## Fix
    Keep `client_id_list = ["sts.amazonaws.com"]`, or list a custom audience in `audiences` if
    it is configured on purpose.

    ## Parameters
    - `audiences` (list of strings, default `["sts.amazonaws.com"]`): the accepted audiences.

    ## References
    - GitHub Docs, "Configuring OpenID Connect in Amazon Web Services"
    """
    url = view.value("url")
    if not isinstance(url, str) or _GITHUB_ISSUER not in url.lower():
        return
    expected = set(params.get("audiences") or ("sts.amazonaws.com",))
    for audience in sorted(set(_arns(view, "client_id_list"))):
        if audience not in expected:
            yield Hit(f"the GitHub OIDC provider accepts the audience {audience!r}", key=audience)


OIDC_AUDIENCES = Rule(
    id="TFG-IAM-008",
    name="oidc-provider-unexpected-audience",
    title="GitHub OIDC provider accepts unexpected audiences",
    severity=Severity.LOW,
    resource_types=frozenset({"aws_iam_openid_connect_provider"}),
    controls={"AWS-WA-SEC": ("SEC02-BP02",), "NRB": ("IT-2012-4-access-control",)},
    check=check_oidc_audiences,
    params_schema={
        "type": "object",
        "properties": {"audiences": {"type": "array", "items": {"type": "string"}}},
        "additionalProperties": False,
    },
    defaults={"audiences": ["sts.amazonaws.com"]},
)

# ------------------------------------------------------------------------------------------------
# TFG-IAM-009 maximum session duration


def check_session_duration(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags roles whose sessions may last longer than the profile allows.

    ## What it does
    Reports each `aws_iam_role` whose `max_session_duration` (seconds; AWS default 3600) is
    greater than `max_session_seconds`. A value known only after apply is reported as
    `unknown`. tfgate-specific (no reference id): production profiles set 3600 (1 hour),
    sandbox profiles may allow 28800.

    ## Why it matters
    Role credentials cannot be revoked one by one: a leaked session stays valid until it
    expires. Short sessions bound that window, and force re-authentication (with MFA through
    the identity provider) at least that often.

    ## Example
    ```hcl
    resource "aws_iam_role" "fail_long_sessions" {
      name                 = "ops"
      max_session_duration = 43200
      assume_role_policy   = data.aws_iam_policy_document.sso.json
    }
    ```

    ## Fix
    Lower `max_session_duration` to the profile's limit (3600 in production).

    ## Parameters
    - `max_session_seconds` (integer, 3600-43200, default 3600): the longest session allowed.

    ## References
    - HIPAA 164.312(a)(2)(iii) (automatic logoff); PCI DSS v4.0, 8.2.8
    - AWS IAM User Guide, "Modifying a role maximum session duration"
    """
    limit = int(params.get("max_session_seconds") or 3600)
    if view.is_unknown("max_session_duration"):
        yield Hit(
            "the role's maximum session duration is known only after apply",
            key="duration",
            unknown=True,
        )
        return
    duration = view.value("max_session_duration")
    if isinstance(duration, int | float) and duration > limit:
        yield Hit(
            f"allows sessions of {int(duration)} seconds; the limit is {limit}",
            key="duration",
        )


SESSION_DURATION = Rule(
    id="TFG-IAM-009",
    name="role-session-too-long",
    title="Role sessions may last longer than allowed",
    severity=Severity.LOW,
    resource_types=frozenset({"aws_iam_role"}),
    controls={"HIPAA": ("164.312(a)(2)(iii)",), "PCI-DSS-4.0": ("8.2.8",)},
    check=check_session_duration,
    params_schema={
        "type": "object",
        "properties": {
            "max_session_seconds": {"type": "integer", "minimum": 3600, "maximum": 43200}
        },
        "additionalProperties": False,
    },
    defaults={"max_session_seconds": 3600},
)
