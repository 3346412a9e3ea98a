"""Reading the template as CloudFormation will: the SAM transform done offline, the
dependency graph between resources, and the IAM policy statements anywhere in it."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

from samtranslator.translator.transform import transform

# The SAM transform needs code locations it can point at; the bytes do not matter here.
PLACEHOLDER_CODE = "s3://placeholder/lambda.zip"
_SUB_VARIABLE = re.compile(r"\$\{([^!}][^}]*)\}")


class _NoManagedPolicies:
    """SAM asks for the account's managed policies only to resolve policy names in
    `Policies`; this template names none, so nothing needs to reach IAM."""

    def load(self) -> dict[str, str]:
        return {}


def translate(template: dict[str, Any]) -> dict[str, Any]:
    """The plain CloudFormation that the SAM transform makes of `template` (needs
    AWS_DEFAULT_REGION, as SAM builds ARNs for the partition)."""
    local = copy.deepcopy(template)
    local.get("Globals", {}).get("Function", {}).pop("CodeUri", None)
    for resource in local["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = PLACEHOLDER_CODE
    translated: dict[str, Any] = transform(local, {}, _NoManagedPolicies())
    return translated


def dependencies(template: dict[str, Any]) -> dict[str, set[str]]:
    """Which resources each resource needs first: Ref, GetAtt, Sub variables and DependsOn."""
    names = set(template["Resources"])
    graph = {}
    for name, resource in template["Resources"].items():
        depends_on = resource.get("DependsOn", [])
        needed = set([depends_on] if isinstance(depends_on, str) else depends_on)
        needed |= {target for target in _references(resource.get("Properties", {})) if target in names}
        graph[name] = needed
    return graph


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, list):
        for item in node:
            yield from _references(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield value
            elif key == "Fn::GetAtt":
                yield (value[0] if isinstance(value, list) else value.split(".")[0])
            elif key == "Fn::Sub":
                text, variables = (value, {}) if isinstance(value, str) else value
                yield from (v.split(".")[0] for v in _SUB_VARIABLE.findall(text) if v not in variables)
                yield from _references(variables)
            else:
                yield from _references(value)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circular chain of dependencies, or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        path.append(node)
        for needed in sorted(graph.get(node, ())):
            cycle = visit(needed)
            if cycle:
                return cycle
        path.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        cycle = visit(node)
        if cycle:
            return cycle
    return None


def statements(node: Any) -> Iterator[dict[str, Any]]:
    """Every IAM policy statement anywhere in `node` (roles, SAM Policies, bucket policies)."""
    if isinstance(node, list):
        for item in node:
            yield from statements(item)
    elif isinstance(node, dict):
        if isinstance(node.get("Statement"), list):
            yield from node["Statement"]
        for key, value in node.items():
            if key != "Statement":
                yield from statements(value)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
