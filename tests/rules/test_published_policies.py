"""Published vendor policies (issue 14, item 3): a policy that grants no more than one published
policy as a whole is reported once by TFG-IAM-027, not blocked statement by statement, and
anything wider, or picked from two published policies, is judged as before."""

from __future__ import annotations

import copy
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from tests.rules.iam_plans import document_plan, findings
from tfgate.cli import app
from tfgate.config.profiles import load_profile
from tfgate.engine import evaluate
from tfgate.iam.policy import parse_policy
from tfgate.iam.published import published_match, published_policies
from tfgate.rules.base import doc_sections
from tfgate.rules.iam.permissions import (
    ACCEPT_PUBLISHED,
    DATA_EXFILTRATION,
    PERMISSIVE_CONDITION,
    PUBLISHED_POLICY,
    UNRESTRICTED_WRITE,
)

DATA = Path(str(files("tfgate.iam").joinpath("published")))
DATA_FILES = sorted(DATA.glob("*.json"))
KEYS = [
    "name",
    "version",
    "publisher",
    "repository",
    "path",
    "commit",
    "url",
    "licence",
    "placeholders",
    "policy",
]
# One value for each placeholder, as a user fills it in.
FILLED = {
    "{partition}": "aws",
    "{region}": "eu-west-1",
    "{account}": "111122223333",
    "{cluster}": "prod",
    "{asg}": "workers",
    "{role}": "arn:aws:iam::111122223333:role/KarpenterNodeRole-prod",
    "{queue}": "arn:aws:sqs:eu-west-1:111122223333:prod",
}
PLACEHOLDER = re.compile(r"\{[a-z]+\}")

AUTOSCALER = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeLaunchConfigurations",
                "autoscaling:DescribeTags",
                "autoscaling:SetDesiredCapacity",
                "autoscaling:TerminateInstanceInAutoScalingGroup",
                "ec2:DescribeLaunchTemplateVersions",
            ],
            "Resource": "*",
        }
    ],
}
SCALE = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]


def _data(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = orjson.loads(path.read_bytes())
    return loaded


def _filled(document: Any) -> Any:
    text = orjson.dumps(document).decode()
    for placeholder, value in FILLED.items():
        text = text.replace(placeholder, value)
    return orjson.loads(text)


def _match(document: Any) -> str | None:
    published = published_match(parse_policy(document))
    return None if published is None else published.slug


def _statement(*actions: str, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": list(actions), "Resource": resource, **extra}


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _published(slug: str) -> dict[str, Any]:
    policy: dict[str, Any] = _filled(_data(DATA / f"{slug}.json")["policy"])
    return policy


# ------------------------------------------------------------------------------------------------
# The data


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda path: path.stem)
def test_each_file_records_its_source_and_version(path: Path) -> None:
    data = _data(path)
    assert list(data) == KEYS
    assert data["name"] and data["version"] and data["publisher"]
    if data["repository"]:
        assert re.fullmatch(r"[0-9a-f]{40}", data["commit"])
        assert data["url"] == (
            f"https://github.com/{data['repository']}/blob/{data['commit']}/{data['path']}"
        )
        assert data["licence"]
    else:  # an AWS-managed policy: the AWS Managed Policy Reference page
        assert data["url"].startswith("https://docs.aws.amazon.com/aws-managed-policy/")


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda path: path.stem)
def test_placeholders_are_declared_and_used(path: Path) -> None:
    data = _data(path)
    used = set(PLACEHOLDER.findall(orjson.dumps(data["policy"]).decode()))
    assert used == set(data["placeholders"])
    assert used <= set(FILLED)


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda path: path.stem)
def test_each_published_policy_filled_in_matches_itself(path: Path) -> None:
    policy = parse_policy(_filled(_data(path)["policy"]))
    assert not policy.problems
    assert _match(_filled(_data(path)["policy"])) == path.stem


def test_every_file_is_loaded() -> None:
    loaded = sorted(published.slug for published in published_policies())
    assert loaded == sorted(path.stem for path in DATA_FILES)


def test_the_rule_doc_names_every_source() -> None:
    references = doc_sections(PUBLISHED_POLICY.doc)["References"]
    for path in DATA_FILES:
        data = _data(path)
        assert (data["repository"] or data["url"]) in references, path.stem


# ------------------------------------------------------------------------------------------------
# What matches: the published policy or less


def test_a_real_cluster_autoscaler_policy_matches() -> None:
    # aws_iam_role_policy.autoscaler of andresb39/devsecops-iac's plan: the README's policy up
    # to 1.30 pasted as one statement.
    assert _match(AUTOSCALER) == "cluster-autoscaler-1.30"


def test_the_current_readme_policy_is_named_after_the_current_version() -> None:
    assert _match(_published("cluster-autoscaler")) == "cluster-autoscaler"


@pytest.mark.parametrize(
    "narrowed",
    [
        _policy(_statement(*SCALE)),
        _policy(
            _statement(
                *SCALE,
                resource="arn:aws:autoscaling:eu-west-1:111122223333:autoScalingGroup:*:"
                "autoScalingGroupName/workers",
            )
        ),
        _policy(
            _statement(
                *SCALE,
                Condition={
                    "StringEquals": {
                        "autoscaling:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true"
                    }
                },
            )
        ),
        # A Deny only narrows.
        _policy(
            _statement(*SCALE),
            {
                "Effect": "Deny",
                "Action": "autoscaling:TerminateInstanceInAutoScalingGroup",
                "Resource": "*",
            },
        ),
    ],
    ids=["fewer-actions", "one-group", "extra-condition", "with-deny"],
)
def test_narrower_than_the_published_policy_matches(narrowed: dict[str, Any]) -> None:
    assert _match(narrowed) is not None


def test_a_subset_of_the_load_balancer_controller_matches() -> None:
    published = _published("aws-load-balancer-controller")
    part = _policy(*published["Statement"][9:12])
    assert (_match(part) or "").startswith("aws-load-balancer-controller")


def test_a_condition_value_subset_matches() -> None:
    published = _published("aws-load-balancer-controller")
    statement = copy.deepcopy(published["Statement"][13])
    condition = statement["Condition"]["StringEquals"]
    condition["elasticloadbalancing:CreateAction"] = ["CreateTargetGroup"]
    assert _match(_policy(statement)) is not None


# ------------------------------------------------------------------------------------------------
# What does not: anything wider, or two vendors at once


def test_one_more_action_is_not_the_published_policy() -> None:
    assert _match(_policy(_statement(*SCALE), _statement("ec2:TerminateInstances"))) is None


def test_statements_from_two_published_policies_do_not_match() -> None:
    two = _policy(
        _statement(*SCALE),
        _statement("route53:ChangeResourceRecordSets", resource="arn:aws:route53:::hostedzone/*"),
    )
    assert _match(two) is None


def test_a_dropped_condition_is_wider() -> None:
    published = _published("aws-load-balancer-controller")
    statement = copy.deepcopy(published["Statement"][7])
    assert statement["Condition"]
    del statement["Condition"]
    assert _match(_policy(statement)) is None


def test_a_wider_condition_value_is_wider() -> None:
    published = _published("aws-load-balancer-controller")
    statement = copy.deepcopy(published["Statement"][13])
    statement["Condition"]["StringEquals"]["elasticloadbalancing:CreateAction"] = [
        "CreateTargetGroup",
        "CreateLoadBalancer",
        "CreateListener",
    ]
    assert _match(_policy(statement)) is None


def test_a_wildcard_where_the_vendor_asks_for_one_value_is_wider() -> None:
    every_account = _policy(
        _statement(
            *SCALE,
            resource="arn:aws:autoscaling:eu-west-1:*:autoScalingGroup:*:autoScalingGroupName/*",
        )
    )
    # The full-features policy grants these on "*": only the minimal one has placeholders.
    assert _match(every_account) == "cluster-autoscaler"
    minimal = _published("cluster-autoscaler-minimal")
    minimal["Statement"][0]["Resource"] = [
        "arn:aws:autoscaling:eu-west-1:*:autoScalingGroup:*:autoScalingGroupName/workers"
    ]
    minimal["Statement"][0]["Action"].append("eks:DescribeCluster")  # outside full-features
    assert _match(minimal) is None


def test_a_placeholder_in_a_condition_key_takes_one_name() -> None:
    published = _published("karpenter-controller-node-lifecycle")
    text = orjson.dumps(published).decode()
    assert "kubernetes.io/cluster/prod" in text
    assert _match(published) == "karpenter-controller-node-lifecycle"
    wider = orjson.loads(text.replace('"prod"', '"*"').replace("StringEquals", "StringLike"))
    assert _match(wider) != "karpenter-controller-node-lifecycle"


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Effect": "Allow", "Action": SCALE, "NotResource": "arn:aws:autoscaling:*:*:x"},
        {"Effect": "Allow", "Action": "autoscaling:Set*", "Resource": "*"},
        {"Effect": "Allow", "Action": "autoscaling:NoSuch*", "Resource": "*"},
    ],
    ids=["not-action", "not-resource", "wildcard-wider", "wildcard-unknown"],
)
def test_shapes_that_never_match(statement: dict[str, Any]) -> None:
    assert _match(_policy(statement)) is None


# ------------------------------------------------------------------------------------------------
# The rules


def _messages(policy: dict[str, Any], rule: Any, **params: Any) -> list[str]:
    plan = document_plan("identity", policy)
    settings = {rule.id: params} if params else None
    return [hit[2] for hit in findings(plan, rules=[rule], params=settings).get(rule.id, [])]


def test_accepted_statements_are_reported_once_as_the_published_policy() -> None:
    assert _messages(AUTOSCALER, UNRESTRICTED_WRITE) == []
    (message,) = _messages(AUTOSCALER, PUBLISHED_POLICY)
    assert message.startswith(
        "policy matches the published Cluster Autoscaler (full features) policy 1.30.0 to 1.30.7 "
        "(kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/README.md@"
    )
    assert "2 write actions on every resource" in message


def test_without_acceptance_the_statements_are_judged() -> None:
    (message,) = _messages(AUTOSCALER, UNRESTRICTED_WRITE, **{ACCEPT_PUBLISHED: False})
    assert "autoscaling:SetDesiredCapacity" in message


def test_a_match_that_grants_no_write_on_everything_is_not_reported() -> None:
    assert _messages(_published("external-dns"), PUBLISHED_POLICY) == []


def test_the_load_balancer_controller_raises_no_statement_warnings() -> None:
    published = _published("aws-load-balancer-controller")
    assert _messages(published, PERMISSIVE_CONDITION) == []
    assert _messages(published, PERMISSIVE_CONDITION, **{ACCEPT_PUBLISHED: False}) == []
    assert _messages(published, UNRESTRICTED_WRITE, **{ACCEPT_PUBLISHED: False})


def _verdicts(policy: dict[str, Any], profile: str) -> dict[str, bool]:
    report = evaluate(document_plan("identity", policy), [load_profile(profile)])
    return {finding.rule: finding.blocking for finding in report.findings}


def test_baseline_warns_and_pci_dss_blocks() -> None:
    assert _verdicts(AUTOSCALER, "baseline") == {"TFG-IAM-027": False}
    assert _verdicts(AUTOSCALER, "pci-dss") == {"TFG-IAM-015": True, "TFG-IAM-027": False}
    for profile in ("hipaa", "nrb", "gdpr"):
        assert _verdicts(AUTOSCALER, profile) == {"TFG-IAM-027": False}


def test_a_tag_narrowed_statement_is_named_in_the_finding() -> None:
    policy = _policy(
        _statement("ec2:RunInstances", Sid="Launch"),
        _statement(
            "ec2:TerminateInstances",
            Sid="Tagged",
            Condition={"Null": {"aws:ResourceTag/team": "false"}},
        ),
    )
    (message,) = _messages(policy, UNRESTRICTED_WRITE, **{ACCEPT_PUBLISHED: False})
    assert message.endswith(
        'Sid "Tagged" is taken as narrowed to tagged resources by a condition on '
        "aws:resourcetag/team"
    )
    reads = _policy(
        _statement("s3:GetObject", Sid="All"),
        _statement(
            "ssm:GetParameter",
            Sid="TaggedParameters",
            Condition={"StringEquals": {"aws:ResourceTag/app": "web"}},
        ),
    )
    (message,) = _messages(reads, DATA_EXFILTRATION)
    assert 'Sid "TaggedParameters" is taken as narrowed' in message


def test_explain_says_what_is_accepted() -> None:
    result = CliRunner().invoke(app, ["explain", "TFG-IAM-015"])
    assert result.exit_code == 0
    assert "accept_published_policies" in result.output
    assert "tagged resources narrows it" in " ".join(result.output.split())


def test_a_document_no_vendor_publishes_is_not_compared() -> None:
    # Built to make the comparison slow: fifty thousand resource entries, each within the
    # published grant. Past AWS's own policy sizes it is judged statement by statement.
    many = _policy(
        *(
            _statement(
                "elasticloadbalancing:RegisterTargets",
                resource=[
                    f"arn:aws:elasticloadbalancing:*:*:targetgroup/{'*a' * 8}{i}-{j}/x"
                    for j in range(50)
                ],
            )
            for i in range(1000)
        )
    )
    assert _match(many) is None
    assert _match(_policy(*many["Statement"][:1])) is not None
    wild = _policy(
        _statement(
            "elasticloadbalancing:RegisterTargets",
            resource="arn:aws:elasticloadbalancing:*:*:targetgroup/" + "*a" * 20 + "/x",
        )
    )
    assert _match(wild) is None


def test_a_service_resource_tag_key_is_the_aws_one() -> None:
    # terraform-aws-modules' EBS CSI copy writes aws:ResourceTag where the driver's example
    # writes ec2:ResourceTag: EC2 reads both as the resource's tag.
    published = _published("ebs-csi-driver")
    copied = orjson.loads(
        orjson.dumps(published).decode().replace("ec2:ResourceTag", "aws:ResourceTag")
    )
    assert _match(copied) == "ebs-csi-driver"
    request = orjson.loads(
        orjson.dumps(published).decode().replace("ec2:ResourceTag", "aws:RequestTag")
    )
    assert _match(request) is None


def test_a_policy_variable_is_not_the_one_value_a_placeholder_asks_for() -> None:
    minimal = _published("cluster-autoscaler-minimal")
    assert _match(minimal) == "cluster-autoscaler-minimal"
    text = (
        orjson.dumps(minimal)
        .decode()
        .replace("autoScalingGroupName/workers", "autoScalingGroupName/${aws:username}")
    )
    assert "${aws:username}" in text
    assert _match(orjson.loads(text)) != "cluster-autoscaler-minimal"
