"""Publishing the built pages to the stack's bucket, then refreshing CloudFront.

The stack's Outputs say where: the bucket, the distribution and the public URLs the pages are
built with. Each object gets its content type and a cache lifetime that suits it: pages are
revalidated by browsers on every visit and kept by CloudFront until the next publish (whose
invalidation drops them); fingerprinted assets never change, so they are kept for a year.
Files gone from the build are deleted from the bucket (its versioning keeps them restorable).
"""

from __future__ import annotations

import mimetypes
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PAGE_CACHE = "public, max-age=0, s-maxage=31536000, must-revalidate"
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"
ASSET_CACHE = "public, max-age=300, s-maxage=31536000"
# theme.3f9a1c2b.css: the build names a file after a hash of its content.
_FINGERPRINTED = re.compile(r"\.[0-9a-f]{8,}\.\w+$")
_TEXT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".webmanifest": "application/manifest+json",
}


@dataclass(frozen=True)
class StackOutputs:
    site_url: str
    api_url: str
    bucket: str
    distribution_id: str

    @property
    def pages_api_url(self) -> str:
        """The API URL the pages are built with: "" (their own origin) when served there."""
        return "" if self.api_url.rstrip("/") == self.site_url.rstrip("/") else self.api_url


@dataclass(frozen=True)
class Published:
    uploaded: int
    deleted: int
    invalidation_id: str


def stack_outputs(cloudformation: Any, stack_name: str) -> StackOutputs:
    stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
    return StackOutputs(
        outputs["SiteUrl"], outputs["ApiUrl"], outputs["SiteBucketName"], outputs["DistributionId"]
    )


def content_type(path: Path) -> str:
    guessed = _TEXT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    return guessed or "application/octet-stream"


def cache_control(path: Path) -> str:
    if path.suffix.lower() == ".html":
        return PAGE_CACHE
    if _FINGERPRINTED.search(path.name):
        return IMMUTABLE_CACHE
    return ASSET_CACHE


def publish(site: Path, bucket: str, distribution_id: str, *, s3: Any, cloudfront: Any) -> Published:
    files = {path.relative_to(site).as_posix(): path for path in sorted(site.rglob("*")) if path.is_file()}
    if "index.html" not in files:
        raise ValueError(f"{site} has no index.html: is it the built site?")
    for key, path in files.items():
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=path.read_bytes(),
            ContentType=content_type(path),
            CacheControl=cache_control(path),
        )
    invalidation = cloudfront.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": uuid.uuid4().hex},
    )
    # Only now: until CloudFront drops the old pages, they may still ask for the old assets.
    stale = [key for key in _keys(s3, bucket) if key not in files]
    for start in range(0, len(stale), 1000):  # DeleteObjects takes at most 1000 keys
        batch = [{"Key": key} for key in stale[start : start + 1000]]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
    return Published(len(files), len(stale), invalidation["Invalidation"]["Id"])


def _keys(s3: Any, bucket: str) -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return [item["Key"] for page in pages for item in page.get("Contents", [])]
