"""Reading infra/template.yaml: CloudFormation tags, resources, intrinsics and HTTP routes.

The local stack creates what the template declares, so local and production cannot drift.
Intrinsic functions are evaluated for the handful of forms the template uses; an unknown
form is an error, not a silent guess.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from samtranslator.yaml_helper import intrinsics_multi_constructor

TEMPLATE = Path(__file__).resolve().parents[1] / "template.yaml"
_SECRET_REFERENCE = re.compile(r"\{\{resolve:secretsmanager:(?P<secret>.+?):SecretString\}\}")


# libyaml's parser where PyYAML was built with it: 0.05 s for the template instead of 0.39 s.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CfnLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """A SafeLoader that reads !Ref, !GetAtt, !Sub... as their long forms (Fn::GetAtt...)."""


_CfnLoader.add_multi_constructor("!", intrinsics_multi_constructor)


def load(path: Path = TEMPLATE) -> dict[str, Any]:
    data: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    return data


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str

    def path_parameters(self, path: str) -> dict[str, str] | None:
        """The route's {parameters} in `path`, or None when the path is not this route's."""
        pattern = "^" + re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(self.path)) + "$"
        found = re.match(pattern, path)
        return found.groupdict() if found else None

    def matches(self, method: str, path: str) -> dict[str, str] | None:
        return self.path_parameters(path) if method == self.method else None


class Resolver:
    """Evaluates intrinsics against local values: `refs` for !Ref, `attributes` for !GetAtt."""

    def __init__(self, template: dict[str, Any], refs: dict[str, str], attributes: dict[str, str]) -> None:
        self.template = template
        self.refs = refs
        self.attributes = attributes

    def __call__(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) != 1 or not next(iter(node)).startswith(("Ref", "Fn::", "Condition")):
            return {key: self(value) for key, value in node.items()}
        ((name, arg),) = node.items()
        if name == "Ref":
            return self.refs[arg]
        if name == "Fn::GetAtt":
            return self.attributes[".".join(arg)]
        if name == "Fn::Sub":
            text, variables = (arg, {}) if isinstance(arg, str) else arg
            values = {key: str(self(value)) for key, value in variables.items()}
            return re.sub(r"\$\{([\w.:]+)\}", lambda m: self._sub(m.group(1), values), text)
        if name == "Fn::If":
            condition, yes, no = arg
            return self(yes) if self.condition(condition) else self(no)
        raise ValueError(f"the local stack does not evaluate {name}")

    def _sub(self, name: str, variables: dict[str, str]) -> str:
        if name in variables:
            return variables[name]
        return self.attributes[name] if "." in name and name in self.attributes else self.refs[name]

    def condition(self, name: str) -> bool:
        return bool(self._truth(self.template["Conditions"][name]))

    def _truth(self, node: Any) -> Any:
        ((name, arg),) = node.items()
        if name == "Fn::Not":
            return not self._truth(arg[0])
        if name == "Fn::Equals":
            return self(arg[0]) == self(arg[1])
        if name == "Condition":
            return self.condition(arg)
        raise ValueError(f"the local stack does not evaluate condition {name}")


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return resources(template, "AWS::Serverless::Function")


def routes(template: dict[str, Any]) -> list[Route]:
    """Each AWS::ApiGatewayV2::Route, with the function its Lambda integration invokes."""
    found = []
    for name, route in resources(template, "AWS::ApiGatewayV2::Route").items():
        method, _, path = route["Properties"]["RouteKey"].partition(" ")
        integration = _integration_of(name, route["Properties"]["Target"])
        uri = template["Resources"][integration]["Properties"]["IntegrationUri"]
        if not isinstance(uri, dict) or "Fn::GetAtt" not in uri:
            raise ValueError(f"integration {integration} does not name a function with !GetAtt")
        found.append(Route(method.upper(), path, uri["Fn::GetAtt"][0]))
    return found


@dataclass(frozen=True)
class FunctionUrlBehaviour:
    """A CloudFront cache behaviour whose origin is a function's URL: CloudFront sends every
    request matching `pattern` to the function, with only the headers its origin request
    policy names."""

    pattern: str
    function: str
    methods: frozenset[str]
    headers: frozenset[str]  # lower-case

    def matches(self, path: str) -> bool:
        return fnmatch.fnmatchcase(path, self.pattern)


def function_url_behaviours(template: dict[str, Any]) -> list[FunctionUrlBehaviour]:
    """The distribution's behaviours that reach a function URL (an origin whose DomainName is
    taken from `<Function>Url.FunctionUrl`), in the distribution's order."""
    found = []
    for distribution in resources(template, "AWS::CloudFront::Distribution").values():
        config = distribution["Properties"]["DistributionConfig"]
        functions = {
            origin["Id"]: function
            for origin in config["Origins"]
            if (function := _function_url_origin(template, origin["DomainName"]))
        }
        for behaviour in config.get("CacheBehaviors", []):
            function = functions.get(behaviour["TargetOriginId"])
            if function is None:
                continue
            policy = template["Resources"][behaviour["OriginRequestPolicyId"]["Ref"]]
            headers = policy["Properties"]["OriginRequestPolicyConfig"]["HeadersConfig"]["Headers"]
            found.append(
                FunctionUrlBehaviour(
                    behaviour["PathPattern"],
                    function,
                    frozenset(behaviour["AllowedMethods"]),
                    frozenset(header.lower() for header in headers),
                )
            )
    return found


def _function_url_origin(template: dict[str, Any], domain: Any) -> str | None:
    """The function whose URL an origin's domain is taken from (SAM names a function's URL
    `<Function>Url`), or None for any other origin."""
    if isinstance(domain, list):
        return next((f for item in domain if (f := _function_url_origin(template, item))), None)
    if not isinstance(domain, dict):
        return None
    attribute = domain.get("Fn::GetAtt")
    if isinstance(attribute, list) and attribute[1:] == ["FunctionUrl"]:
        function = str(attribute[0]).removesuffix("Url")
        return function if function in functions(template) else None
    return next((f for value in domain.values() if (f := _function_url_origin(template, value))), None)


def stream_mapping(
    template: dict[str, Any], table: str, function: str = "RollUpCountersFunction"
) -> dict[str, Any]:
    """The properties of the event source mapping through which `function` reads `table`'s
    stream (a stream may have several readers, each with its own position and filter)."""
    for mapping in resources(template, "AWS::Lambda::EventSourceMapping").values():
        properties = mapping["Properties"]
        source = properties["EventSourceArn"]
        if (
            isinstance(source, dict)
            and source.get("Fn::GetAtt") == [table, "StreamArn"]
            and properties["FunctionName"] == {"Ref": function}
        ):
            return dict(properties)
    raise ValueError(f"no event source mapping reads the stream of {table} for {function}")


def queue_consumers(template: dict[str, Any]) -> list[tuple[str, str]]:
    """(queue, function) for each event source mapping that reads an SQS queue."""
    sqs = resources(template, "AWS::SQS::Queue")
    found = []
    for mapping in resources(template, "AWS::Lambda::EventSourceMapping").values():
        source = mapping["Properties"]["EventSourceArn"].get("Fn::GetAtt", [None])[0]
        if source in sqs:
            found.append((str(source), str(mapping["Properties"]["FunctionName"]["Ref"])))
    return found


def _integration_of(route: str, target: Any) -> str:
    text = target.get("Fn::Sub", "") if isinstance(target, dict) else ""
    found = re.fullmatch(r"integrations/\$\{(\w+)\}", text)
    if not found:
        raise ValueError(f'route {route}: Target must be !Sub "integrations/${{SomeIntegration}}"')
    return found.group(1)


def handler_of(template: dict[str, Any], function: str) -> str:
    props = template["Resources"][function]["Properties"]
    handler = props.get("Handler") or template["Globals"]["Function"]["Handler"]
    return str(handler)


def environment(template: dict[str, Any], function: str, resolve: Resolver) -> dict[str, str]:
    shared = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    own = template["Resources"][function]["Properties"].get("Environment", {}).get("Variables", {})
    return {key: str(resolve(value)) for key, value in {**shared, **own}.items()}


def origin_headers(template: dict[str, Any], origin_id: str, resolve: Resolver) -> dict[str, str]:
    """The custom headers CloudFront adds to each request it sends to an origin (lower-case
    names, as the functions receive them); values may hold secrets' dynamic references."""
    for distribution in resources(template, "AWS::CloudFront::Distribution").values():
        for origin in distribution["Properties"]["DistributionConfig"]["Origins"]:
            if origin["Id"] == origin_id:
                return {
                    header["HeaderName"].lower(): str(resolve(header["HeaderValue"]))
                    for header in origin.get("OriginCustomHeaders", [])
                }
    raise ValueError(f"no CloudFront origin {origin_id!r} in the template")


def resolve_secret_references(text: str, secrets: dict[str, str]) -> str:
    """Replaces each {{resolve:secretsmanager:ID:SecretString}} with the secret's value, as
    CloudFormation does at deploy time; `secrets` maps IDs (ARNs) to values."""
    return _SECRET_REFERENCE.sub(lambda found: secrets[found.group("secret")], text)
