from __future__ import annotations

from tfgate.plan.values import Absent, Known, Unknown, View, sensitive_strings


def test_known_unknown_absent() -> None:
    view = View(
        {"name": "x", "kms_key_id": None, "tags": {"env": "prod"}, "rules": [{"port": 22}]},
        {"arn": True, "rules": [{"cidr": True}]},
        {},
    )
    assert view.get("name") == Known("x")
    assert view.get("kms_key_id") == Known(None)
    assert view.get("arn") is Unknown
    assert view.get("missing") is Absent
    assert view.get("tags", "env") == Known("prod")
    assert view.get("rules", 0, "port") == Known(22)
    assert view.get("rules", 0, "cidr") is Unknown
    assert view.get("rules", 5) is Absent


def test_is_unknown_sees_nested_marks() -> None:
    view = View(
        {"statement": [{"actions": ["s3:GetObject"]}]}, {"statement": [{"resources": [True]}]}
    )
    assert view.is_unknown("statement")
    assert not view.is_unknown("statement", 0, "actions")
    assert view.is_unknown("statement", 0, "resources", 0)


def test_whole_block_unknown() -> None:
    view = View({}, {"inline_policy": True})
    assert view.get("inline_policy", 0, "policy") is Unknown


def test_value_default() -> None:
    view = View({"a": 1}, {"b": True})
    assert view.value("a") == 1
    assert view.value("b", default="?") == "?"


def test_sensitive_strings_follow_mask() -> None:
    values = {"secret": "s3cr3t", "user": "bob", "env": {"variables": {"TOKEN": "abc", "X": "y"}}}
    mask = {"secret": True, "env": {"variables": {"TOKEN": True}}}
    assert sorted(sensitive_strings(values, mask)) == ["abc", "s3cr3t"]


def test_sensitive_whole_subtree() -> None:
    values = {"environment": [{"variables": {"A": "1111", "B": "2222"}}]}
    assert sorted(sensitive_strings(values, {"environment": True})) == ["1111", "2222"]
