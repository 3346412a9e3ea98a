"""How the template's parts fit: deployable order, CloudFront's routing of pages and API, the
pages' security headers, and what reaches the click recorder through CloudFront."""

from __future__ import annotations

import fnmatch
from typing import Any

import pytest

from passaparola import site_paths
from passaparola.domain import visits
from passaparola_build import site_policy
from passaparola_localstack import template as local_template
from tests.infra import cfn

pytestmark = pytest.mark.unit


def test_cloudformation_can_order_the_resources(translated: dict[str, Any]) -> None:
    assert cfn.find_cycle(cfn.dependencies(translated)) is None


def test_the_cycle_check_finds_a_function_naming_its_own_http_api() -> None:
    """SAM `HttpApi` events put the functions' ARNs into the API's definition; a function
    that also names the API (or anything built on it, like the distribution) is a cycle.
    That is why the template declares its routes as resources."""
    function = {
        "Type": "AWS::Serverless::Function",
        "Properties": {
            "Runtime": "python3.11",
            "Handler": "app.handler",
            "CodeUri": "s3://bucket/code.zip",
            "Environment": {"Variables": {"API_URL": {"Fn::Sub": "https://${HttpApi}.example"}}},
            "Events": {
                "Get": {
                    "Type": "HttpApi",
                    "Properties": {"ApiId": {"Ref": "HttpApi"}, "Path": "/", "Method": "GET"},
                }
            },
        },
    }
    template = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {"HttpApi": {"Type": "AWS::Serverless::HttpApi"}, "Function": function},
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
        cycle = cfn.find_cycle(cfn.dependencies(cfn.translate(template)))
    assert cycle is not None
    assert {"HttpApi", "Function"} <= set(cycle)


def _distribution(template: dict[str, Any]) -> dict[str, Any]:
    (distribution,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::CloudFront::Distribution"
    ]
    config: dict[str, Any] = distribution["Properties"]["DistributionConfig"]
    return config


def _origin_for(config: dict[str, Any], path: str) -> str:
    """The origin CloudFront sends `path` to: the first behaviour whose pattern matches, in
    order, else the default one. Patterns use * and ? and are case-sensitive."""
    for behaviour in config["CacheBehaviors"]:
        if fnmatch.fnmatchcase(path, behaviour["PathPattern"]):
            return str(behaviour["TargetOriginId"])
    return str(config["DefaultCacheBehavior"]["TargetOriginId"])


def test_cloudfront_sends_every_api_route_to_the_api(template: dict[str, Any]) -> None:
    config = _distribution(template)
    routes = local_template.routes(template)
    assert len(routes) == 24
    for route in routes:
        example = route.path.replace("{code}", "SPR-7KQ2M9").replace("{conversion_id}", "cv_0123")
        example = example.replace("{token}", "spring.0123456789abcdef0123456789abcdef.AbCdEfGhIjKlMnOpQrStUv")
        assert _origin_for(config, example) == "api", route


def test_cloudfront_sends_clicks_to_the_click_functions_url_through_origin_access_control(
    template: dict[str, Any],
) -> None:
    """A click pays for no API request: /r/* goes to the function's own URL, which takes only
    requests CloudFront signs (AWS_IAM auth, a lambda origin access control, and a permission
    for this distribution alone)."""
    config = _distribution(template)
    assert _origin_for(config, "/r/SPRING-7KQMX2R9P") == "clicks"
    (origin,) = [o for o in config["Origins"] if o["Id"] == "clicks"]
    assert origin["DomainName"] == {
        "Fn::Select": [2, {"Fn::Split": ["/", {"Fn::GetAtt": ["RecordClickFunctionUrl", "FunctionUrl"]}]}]
    }
    assert "OriginCustomHeaders" not in origin  # no secret header: the signature does that job
    control = template["Resources"][origin["OriginAccessControlId"]["Fn::GetAtt"][0]]
    assert control["Type"] == "AWS::CloudFront::OriginAccessControl"
    assert control["Properties"]["OriginAccessControlConfig"] | {"Name": None} == {
        "Name": None,
        "OriginAccessControlOriginType": "lambda",
        "SigningBehavior": "always",
        "SigningProtocol": "sigv4",
    }
    function = template["Resources"]["RecordClickFunction"]["Properties"]
    assert function["FunctionUrlConfig"] == {"AuthType": "AWS_IAM"}
    permissions = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::Permission"
        and r["Properties"]["FunctionName"] == {"Ref": "RecordClickFunction"}
    ]
    distribution = {
        "Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${SiteDistribution}"
    }
    assert sorted((p["Action"], p["Principal"], p["SourceArn"] == distribution) for p in permissions) == [
        ("lambda:InvokeFunction", "cloudfront.amazonaws.com", True),
        ("lambda:InvokeFunctionUrl", "cloudfront.amazonaws.com", True),
    ]
    invoke = next(p for p in permissions if p["Action"] == "lambda:InvokeFunction")
    assert invoke["InvokedViaFunctionUrl"] is True


def test_a_click_writes_no_log_line(template: dict[str, Any]) -> None:
    """JSON logs at WARN: no START, END or REPORT line from Lambda, nothing below WARN from
    the function; a counted click logs 0 bytes."""
    logging = template["Resources"]["RecordClickFunction"]["Properties"]["LoggingConfig"]
    assert logging == {
        "LogGroup": {"Ref": "FunctionLogGroup"},
        "LogFormat": "JSON",
        "ApplicationLogLevel": "WARN",
        "SystemLogLevel": "WARN",
    }


def test_the_click_function_does_not_name_the_distribution_that_names_it(translated: dict[str, Any]) -> None:
    """The distribution's origin is the function's URL; a function environment naming the
    distribution's domain would be a cycle CloudFormation cannot order."""
    variables = translated["Resources"]["RecordClickFunction"]["Properties"]["Environment"]["Variables"]
    assert "SiteDistribution" not in repr(variables)


def test_cloudfront_sends_every_page_to_the_bucket(template: dict[str, Any]) -> None:
    config = _distribution(template)
    pages = [
        site_paths.home(),
        site_paths.home("it"),
        site_paths.invite("spring", "en"),
        site_paths.landing("spring", "it"),
        site_paths.terms("spring", "fr"),
        site_paths.stats("pl"),
        "/theme/site.3f9a1c2b.css",
    ]
    assert {page: _origin_for(config, page) for page in pages} == dict.fromkeys(pages, "site")


def test_only_the_buckets_403_becomes_the_404_page(template: dict[str, Any]) -> None:
    """CloudFront's error pages apply to every behaviour: mapping 404 would turn the API's
    JSON 404 (an unknown code, read by the landing page) into HTML."""
    errors = _distribution(template)["CustomErrorResponses"]
    assert [(e["ErrorCode"], e["ResponseCode"], e["ResponsePagePath"]) for e in errors] == [
        (403, 404, "/404.html")
    ]


def test_api_and_click_behaviours_neither_cache_nor_forward_the_host(template: dict[str, Any]) -> None:
    caching_disabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    for behaviour in _distribution(template)["CacheBehaviors"]:
        assert behaviour["CachePolicyId"] == caching_disabled, behaviour["PathPattern"]
        # API Gateway answers 403 to a Host header that is not its own.
        assert behaviour["OriginRequestPolicyId"] != "216adef6-5c7f-47e4-b989-5492eafa07d3"  # AllViewer


def _site_policy_csp(template: dict[str, Any], api_url: str) -> str:
    """The header the template's policy sends, with ApiUrl set to `api_url`."""
    policy = template["Resources"]["SiteHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    text, variables = policy["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"][
        "Fn::Sub"
    ]
    resolve = local_template.Resolver(template, {"ApiUrl": api_url, "SiteUrl": "", "DomainName": ""}, {})
    return str(resolve({"Fn::Sub": [text, {name: resolve(value) for name, value in variables.items()}]}))


@pytest.mark.parametrize("api_url", ["", "https://api.example.com"])
def test_pages_get_the_site_policys_csp(template: dict[str, Any], api_url: str) -> None:
    assert _site_policy_csp(template, api_url) == site_policy.content_security_policy(api_url)


def test_pages_get_hsts_and_nosniff(template: dict[str, Any]) -> None:
    policy = template["Resources"]["SiteHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    security = policy["SecurityHeadersConfig"]
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert security["ContentTypeOptions"]["Override"] is True
    assert security["FrameOptions"]["FrameOption"] == "DENY"


def test_the_click_recorder_gets_every_header_it_reads(template: dict[str, Any]) -> None:
    """CloudFront forwards only the listed headers on /r/*; a header the click code reads but
    the policy drops would silently change what is counted (bots, prefetches, visitors)."""
    config = _distribution(template)
    (clicks,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/r/*"]
    policy_name = clicks["OriginRequestPolicyId"]["Ref"]
    policy = template["Resources"][policy_name]["Properties"]["OriginRequestPolicyConfig"]
    forwarded = {h.lower() for h in policy["HeadersConfig"]["Headers"]}
    read_by_the_click_code = {"user-agent", "accept-language", *visits._PREFETCH_HEADERS}
    assert read_by_the_click_code | {"cloudfront-viewer-address"} <= forwarded


def test_cloudfront_adds_the_origin_header_that_every_http_function_checks(template: dict[str, Any]) -> None:
    from passaparola.api import origin

    (api,) = [o for o in _distribution(template)["Origins"] if o["Id"] == "api"]
    (header,) = api["OriginCustomHeaders"]
    assert header["HeaderName"].lower() == origin.HEADER
    assert header["HeaderValue"] == {
        "Fn::Sub": "{{resolve:secretsmanager:${OriginVerifySecret}:SecretString}}"
    }
    served = {route.function for route in local_template.routes(template)}
    assert len(served) == 10
    for function in served:
        variables = template["Resources"][function]["Properties"]["Environment"]["Variables"]
        assert variables["ORIGIN_VERIFY_SECRET_ID"] == {"Ref": "OriginVerifySecret"}, function


def test_the_rate_limited_routes_get_the_viewers_address(template: dict[str, Any]) -> None:
    """Without CloudFront-Viewer-Address every visitor behind one edge would share one limit."""
    all_viewer_except_host = "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # adds CloudFront's headers too
    for path in ("/r/*", "/codes/*", "/claims", "/referrers"):
        (behaviour,) = [b for b in _distribution(template)["CacheBehaviors"] if b["PathPattern"] == path]
        policy = behaviour["OriginRequestPolicyId"]
        if policy == all_viewer_except_host:
            continue
        headers = template["Resources"][policy["Ref"]]["Properties"]["OriginRequestPolicyConfig"]
        assert "cloudfront-viewer-address" in {h.lower() for h in headers["HeadersConfig"]["Headers"]}, path


@pytest.mark.parametrize("limit", ["0", "2000"])
def test_a_waf_rate_limit_per_ip_is_attached_only_when_asked_for(
    template: dict[str, Any], limit: str
) -> None:
    resolve = local_template.Resolver(
        template, {"WafRateLimit": limit, "AWS::NoValue": "(none)"}, {"WebAcl.Arn": "arn:aws:wafv2:acl"}
    )
    assert resolve.condition("HasWaf") is (limit != "0")
    attached = resolve(_distribution(template)["WebACLId"])
    assert attached == ("arn:aws:wafv2:acl" if limit != "0" else "(none)")
    acl = template["Resources"]["WebAcl"]
    assert acl["Condition"] == "HasWaf"
    assert acl["Properties"]["Scope"] == "CLOUDFRONT"
    assert acl["Properties"]["DefaultAction"] == {"Allow": {}}
    (rule,) = acl["Properties"]["Rules"]
    assert rule["Statement"]["RateBasedStatement"] == {
        "Limit": {"Ref": "WafRateLimit"},
        "EvaluationWindowSec": 300,
        "AggregateKeyType": "IP",
    }
    assert rule["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
    # Sampled requests would keep visitors' IP addresses in the WAF console.
    assert not acl["Properties"]["VisibilityConfig"]["SampledRequestsEnabled"]
    assert not rule["VisibilityConfig"]["SampledRequestsEnabled"]


def test_a_waf_needs_the_stack_in_us_east_1(template: dict[str, Any]) -> None:
    rule = template["Rules"]["WafNeedsUsEast1"]
    assert rule["RuleCondition"] == template["Conditions"]["HasWaf"]
    (assertion,) = rule["Assertions"]
    assert assertion["Assert"] == {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}


# CloudFront's managed policies, by id (they are the same in every account).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # forwards Origin and the preflight's headers


def test_a_shops_preflight_reaches_the_enrol_function_and_no_answer_is_cached(
    template: dict[str, Any],
) -> None:
    """The invite panel on a shop's page (/widget.js) POSTs /referrers after a CORS preflight:
    CloudFront must pass OPTIONS and the Origin header on, and keep no answer, which varies by
    Origin; API Gateway must route OPTIONS to the function that answers it (api/cors.py)."""
    config = _distribution(template)
    (behaviour,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/referrers"]
    assert behaviour["TargetOriginId"] == "api"
    assert "OPTIONS" in behaviour["AllowedMethods"]
    assert behaviour["CachePolicyId"] == CACHING_DISABLED
    assert behaviour["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    routes = {(route.method, route.path): route.function for route in local_template.routes(template)}
    assert routes[("OPTIONS", "/referrers")] == routes[("POST", "/referrers")] == "EnrolAndClaimFunction"


def test_a_separate_api_url_lets_the_pages_use_every_method_a_route_takes(template: dict[str, Any]) -> None:
    """With ApiUrl set, API Gateway answers the pages' preflights itself, from this list only:
    a method missing from it (the data page's DELETE /me) fails in the browser alone."""
    allowed = template["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"]["Fn::If"][1]["AllowMethods"]
    methods = {route.method for route in local_template.routes(template)} - {
        "OPTIONS"
    }  # the preflight itself
    assert methods <= set(allowed)
