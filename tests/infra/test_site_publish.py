"""`passaparola deploy-site` against S3, CloudFront and CloudFormation on moto: the stack's
Outputs say where, every file lands with its type and cache lifetime, files gone from the
build leave the bucket, and CloudFront is told to drop what it cached."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from passaparola_tools import cli, site_publish

pytestmark = pytest.mark.integration

STACK = "passaparola"
SITE_URL = "https://d111111abcdef8.cloudfront.net"


@pytest.fixture
def deployed() -> Iterator[dict[str, Any]]:
    """A stand-in for the deployed stack: its bucket and distribution, and its Outputs."""
    with mock_aws():
        region = "eu-west-1"
        cloudfront = boto3.client("cloudfront", region_name=region)
        distribution = cloudfront.create_distribution(
            DistributionConfig={
                "CallerReference": "test",
                "Comment": "",
                "Enabled": True,
                "Origins": {
                    "Quantity": 1,
                    "Items": [
                        {
                            "Id": "site",
                            "DomainName": "site.s3.amazonaws.com",
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                        }
                    ],
                },
                "DefaultCacheBehavior": {
                    "TargetOriginId": "site",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f3",
                },
            }
        )["Distribution"]["Id"]
        outputs = {
            "SiteUrl": SITE_URL,
            "ApiUrl": SITE_URL,
            "SiteBucketName": {"Ref": "SiteBucket"},
            "DistributionId": distribution,
        }
        stack = {
            "Resources": {"SiteBucket": {"Type": "AWS::S3::Bucket"}},
            "Outputs": {key: {"Value": value} for key, value in outputs.items()},
        }
        cloudformation = boto3.client("cloudformation", region_name=region)
        cloudformation.create_stack(StackName=STACK, TemplateBody=json.dumps(stack))
        found = site_publish.stack_outputs(cloudformation, STACK)
        yield {
            "region": region,
            "outputs": found,
            "s3": boto3.client("s3", region_name=region),
            "cloudfront": cloudfront,
        }


def _site(folder: Path) -> Path:
    for name, text in {
        "index.html": "<!doctype html><title>Home</title>",
        "en/spring/index.html": "<!doctype html><title>Spring</title>",
        "404.html": "<!doctype html><title>Not found</title>",
        "theme/site.3f9a1c2b.css": "body{}",
        "favicon.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    }.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def _object(s3: Any, bucket: str, key: str) -> tuple[str, str]:
    head = s3.head_object(Bucket=bucket, Key=key)
    return head["ContentType"], head["CacheControl"]


def test_the_stack_outputs_say_where_and_with_which_urls(deployed: dict[str, Any]) -> None:
    outputs = deployed["outputs"]
    assert outputs.site_url == SITE_URL
    assert outputs.bucket.startswith(f"{STACK}-sitebucket")
    # The API answers under the pages' own domain, so the pages call it on their own origin.
    assert outputs.pages_api_url == ""


def test_deploy_site_uploads_with_types_and_cache_lifetimes_then_invalidates(
    deployed: dict[str, Any], tmp_path: Path
) -> None:
    outputs, s3 = deployed["outputs"], deployed["s3"]
    s3.put_object(Bucket=outputs.bucket, Key="en/autumn/index.html", Body=b"an ended campaign")
    site = _site(tmp_path)

    code = cli.main(
        ["deploy-site", "--stack", STACK, "--region", deployed["region"], "--site-dir", str(site)]
    )

    assert code == 0
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=outputs.bucket)["Contents"]}
    assert keys == {
        "index.html",
        "en/spring/index.html",
        "404.html",
        "theme/site.3f9a1c2b.css",
        "favicon.svg",
    }
    assert _object(s3, outputs.bucket, "en/spring/index.html") == (
        "text/html; charset=utf-8",
        site_publish.PAGE_CACHE,
    )
    assert _object(s3, outputs.bucket, "theme/site.3f9a1c2b.css") == (
        "text/css; charset=utf-8",
        site_publish.IMMUTABLE_CACHE,
    )
    assert _object(s3, outputs.bucket, "favicon.svg") == ("image/svg+xml", site_publish.ASSET_CACHE)
    invalidations = deployed["cloudfront"].list_invalidations(DistributionId=outputs.distribution_id)
    assert invalidations["InvalidationList"]["Quantity"] == 1


def test_a_folder_without_pages_is_refused(deployed: dict[str, Any], tmp_path: Path) -> None:
    outputs = deployed["outputs"]
    with pytest.raises(ValueError, match=r"no index\.html"):
        site_publish.publish(
            tmp_path,
            outputs.bucket,
            outputs.distribution_id,
            s3=deployed["s3"],
            cloudfront=deployed["cloudfront"],
        )
    assert "Contents" not in deployed["s3"].list_objects_v2(Bucket=outputs.bucket)
