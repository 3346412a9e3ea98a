"""The `passaparola` command: developer entry points (the README's quick start uses these)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from passaparola import i18n
from passaparola.domain.campaign import SHOP_PLATFORMS, BrandContact
from passaparola_build import content, paths
from passaparola_build.rules import build_rules
from passaparola_localstack import shop_samples
from passaparola_tools import artifact, chromium, site_publish


def _run(*command: str) -> int:
    print(f"$ {' '.join(command)}", flush=True)
    return subprocess.run(command, cwd=paths.ROOT, check=False).returncode  # noqa: S603 - our own fixed commands


# pytest's exit code when no test was selected: with --changed, nothing changed since the last run.
NOTHING_CHANGED = 5


def test(pytest_args: list[str]) -> int:
    """Without arguments: ruff, then the whole pytest suite with mypy beside it; any failing
    fails the run. With arguments, the inner loop: pytest alone, with them (`-m unit`, `-k
    claims`, a test file, `-n 0` for one process); `--changed` runs only the tests whose code
    changed since its last run (pytest-testmon; the first run runs all and records)."""
    chromium.ensure()  # the browser tests drive Debian's chromium
    python = sys.executable
    if "--changed" in pytest_args:
        pytest_args = [arg for arg in pytest_args if arg != "--changed"]
        code = _run(python, "-m", "pytest", "--testmon", *pytest_args)
        return 0 if code == NOTHING_CHANGED else code
    if pytest_args:
        return _run(python, "-m", "pytest", *pytest_args)
    for step in (
        (python, "-m", "ruff", "check", "functions", "infra", "site", "tests"),
        (python, "-m", "ruff", "format", "--check", "functions", "infra", "site", "tests"),
    ):
        code = _run(*step)
        if code:
            return code
    # mypy keeps one core busy for a quarter of a minute: beside the suite rather than before
    # it, it takes its share of both cores instead of the whole of one while the other waits.
    typing = subprocess.Popen(  # noqa: S603 - our own interpreter and a fixed command
        (python, "-m", "mypy"), cwd=paths.ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    code = _run(python, "-m", "pytest")
    print(f"$ {python} -m mypy\n{typing.communicate()[0]}", end="", flush=True)
    return code or typing.returncode


def rules(args: argparse.Namespace) -> int:
    """Validate content/ and write the compiled rules the functions read."""
    try:
        compiled = build_rules(args.content, args.out)
    except content.ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{len(compiled.campaigns)} campaigns -> {args.out}")
    for brand in compiled.brands.values():
        print(shop_line(brand))
    return 0


def shop_line(brand: BrandContact) -> str:
    """What the shop and the payouts provider are given, in one line: what a business must
    still do by hand."""
    shop, payouts = brand.shop, brand.payouts.provider
    paid = (
        f"cash, gift cards and donations paid through {payouts}"
        if payouts == "tremendous"
        else "cash, gift cards and donations by hand (payouts manual)"
    )
    if shop is None:
        return f"Shop none: codes and records only; create each friend's coupon in your shop by hand; {paid}"
    made = {
        "stripe": "referrers' coupons, credit (customer balance) and free months (on monthly subscriptions)",
        "shopify": "referrers' coupons and store credit",
        "woocommerce": "referrers' coupons, and credit as a coupon for their email",
    }[shop.platform]
    return f"Shop {shop.platform}: friends' coupons and {made} created there; {paid}; gifts by hand"


def site(args: argparse.Namespace) -> int:
    """Build the pages (and the campaign rules) with Pelican, for a preview or a server."""
    from passaparola_build import site_build  # Pelican is slow to import; only this command needs it

    rules_path = None if args.no_rules else args.rules
    try:
        built = site_build.build_site(
            args.out,
            api_url=args.api_url,
            site_url=args.site_url,
            content=args.content,
            rules_path=rules_path,
            cache=args.cache_dir,
        )
    except content.ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    except (ValueError, site_build.SiteBuildError) as exc:
        print(f"passaparola site: {exc}", file=sys.stderr)
        return 2
    print(f"{built.pages} pages -> {built.output}" + (f"; rules -> {rules_path}" if rules_path else ""))
    return 0


def budget(args: argparse.Namespace) -> int:
    """Print each page type's weight (HTML + CSS + JS + API answers, gzipped) and requests."""
    from passaparola_build import site_build
    from passaparola_tools import site_budget

    with tempfile.TemporaryDirectory(prefix="passaparola-budget-") as built:
        site_dir = args.site_dir or Path(built)
        if not args.site_dir:
            site_build.build_site(site_dir)
        table, within = site_budget.report(site_dir)
    print(table)
    return 0 if within else 1


def build(args: argparse.Namespace) -> int:
    """Build the Lambda artifact the template's CodeUri names (for Lambda's runtime)."""
    started = time.monotonic()
    built = artifact.build(args.out, content_dir=args.content)
    mebibyte = 1024 * 1024
    print(
        f"{built.path}: {built.zipped_bytes / mebibyte:.1f} MiB "
        f"({built.unzipped_bytes / mebibyte:.1f} MiB unzipped, {built.files} files) "
        f"in {time.monotonic() - started:.1f} s\nsha256 {built.sha256}"
    )
    return 0


def migrate_keys(args: argparse.Namespace) -> int:
    """Re-key every person in the stack's table (storage/rekeying.py); safe to stop and rerun."""
    import boto3

    from passaparola import wiring

    if args.region:
        os.environ["AWS_DEFAULT_REGION"] = args.region  # the functions' clients read it
    cloudformation = boto3.session.Session(region_name=args.region).client("cloudformation")

    def resource(name: str) -> str:
        found = cloudformation.describe_stack_resource(StackName=args.stack, LogicalResourceId=name)
        return str(found["StackResourceDetail"]["PhysicalResourceId"])

    rekeying = wiring.rekeying(resource("Table"), resource("FraudPepperSecret"))
    done = rekeying.run(
        lambda p: print(f"{p.scanned} items read: {p.moved} moved, {p.updated} updated", flush=True)
    )
    if done.conflicts:
        print(
            f"{done.conflicts} items stay under their previous key: their person came back since the "
            "upgrade and has items under the new key (README, Upgrading)",
            file=sys.stderr,
        )
        return 1
    print("every person is keyed by a keyed hash")
    return 0


def deploy_site(args: argparse.Namespace) -> int:
    """Build the pages with the deployed stack's URLs, publish them, and refresh CloudFront."""
    import boto3

    from passaparola_build import site_build

    session = boto3.session.Session(region_name=args.region)
    outputs = site_publish.stack_outputs(session.client("cloudformation"), args.stack)
    with tempfile.TemporaryDirectory(prefix="passaparola-site-") as built:
        site = args.site_dir or Path(built)
        if not args.site_dir:
            site_build.build_site(site, api_url=outputs.pages_api_url, site_url=outputs.site_url)
        published = site_publish.publish(
            site,
            outputs.bucket,
            outputs.distribution_id,
            s3=session.client("s3"),
            cloudfront=session.client("cloudfront"),
        )
    print(
        f"{published.uploaded} files to s3://{outputs.bucket} ({published.deleted} stale removed); "
        f"CloudFront invalidation {published.invalidation_id}\n{outputs.site_url}"
    )
    return 0


def serve(args: argparse.Namespace) -> int:
    """The site and the API on moto, at one local URL, until Ctrl-C."""
    from passaparola_build.content import web_origin
    from passaparola_localstack import console, template

    parameters = dict(item.partition("=")[::2] for item in args.parameter)
    unknown = sorted(set(parameters) - set(template.load()["Parameters"]))
    if unknown:
        print(f"passaparola serve: the template has no parameter {', '.join(unknown)}", file=sys.stderr)
        return 2
    try:
        shop_origins = tuple(web_origin(origin) for origin in args.shop_origin)
    except ValueError as exc:
        print(f"passaparola serve: --shop-origin {exc}", file=sys.stderr)
        return 2
    return console.serve(
        args.port,
        seed=args.demo,
        release_every=args.release_every,
        state_dir=args.state_dir,
        parameters=parameters,
        shop_origins=shop_origins,
        shop=args.shop,
    )


def store(args: argparse.Namespace) -> int:
    """Send a signed conversion or refund to the running local stack, as a shop would."""
    from passaparola_localstack import console

    return console.store(args)


def bench(args: argparse.Namespace) -> int:
    """Print the handlers' import and per-request overhead figures, the site build's time and
    the link routes' answer times; or, with `viral`, replay a viral code against moto, or with
    `timing`, measure the answer times alone."""
    if args.suite == "viral":
        from passaparola_tools import viral

        print(
            f"Replaying {args.rate:,} clicks a second on one code for {args.seconds} s of simulated "
            "time through the real click handler and the real rollup, on moto (hours for 600 s)",
            flush=True,
        )
        figures = viral.replay(args.seconds, args.rate, progress=lambda line: print(line, flush=True))
        print("\n".join(viral.report(figures)))
        return 0 if figures.within_limit and figures.exact else 1
    from passaparola_tools import bench as benchmarks

    sections = ("timing",) if args.suite == "timing" else tuple(args.only or benchmarks.SECTIONS)
    return benchmarks.main(
        samples=args.samples,
        repeat=args.repeat,
        site_samples=args.site_samples,
        sections=sections,
        timing_requests=args.requests,
    )


def cost(_: argparse.Namespace) -> int:
    """The per-million model of a click, from the template and from calls measured on moto."""
    from passaparola_tools import cost as model

    return model.main()


def lighthouse(args: argparse.Namespace) -> int:
    """Lighthouse on every page type in every language, against the local stack."""
    from passaparola_tools import lighthouse as audits

    return audits.main(langs=args.lang or i18n.LANGUAGES, kinds=args.kind or audits.KINDS)


def screenshots(args: argparse.Namespace) -> int:
    """Draw the emails, or the console of the demo programme, with Chromium into docs/, for the
    README."""
    from passaparola_tools import console_screenshots, email_screenshots

    if args.what == "console":
        files = console_screenshots.render(
            args.out or console_screenshots.DOCS, args.lang or console_screenshots.LANGS, args.content
        )
    else:
        files = email_screenshots.render(
            args.out or email_screenshots.DOCS, args.lang or email_screenshots.LANGS, args.content
        )
    for file in files:
        print(file.relative_to(paths.ROOT) if file.is_relative_to(paths.ROOT) else file)
    return 0


def _shop_and_email_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    shop = commands.add_parser(
        "store",
        help="send a signed webhook to the running local stack",
        description="conversion or refund: the shop's own signed call. stripe, shopify or woocommerce "
        "with an event: that platform's sample webhook, signed with its dev secret. Events: "
        + "; ".join(f"{platform}: {', '.join(events)}" for platform, events in shop_samples.EVENTS.items()),
    )
    shop.add_argument("kind", choices=["conversion", "refund", *shop_samples.EVENTS])
    shop.add_argument("event", nargs="?", help="the platform's event (stripe, shopify, woocommerce)")
    shop.add_argument(
        "--order-id", help="required for conversion and refund; a new one for a platform's paid order"
    )
    shop.add_argument("--email", help="the buyer's email (paid orders)")
    shop.add_argument("--amount", default="49.90")
    shop.add_argument("--currency", default="EUR")
    shop.add_argument("--code", help="the referral code passed through checkout, if any")
    shop.add_argument("--coupon", help="the friend's coupon typed at checkout, if any")
    shop.add_argument("--locale", help="the buyer's locale, e.g. pl-PL (conversion, stripe, shopify)")
    shop.add_argument(
        "--satisfaction", type=int, help="how likely the buyer is to recommend the shop, 0-10 (conversion)"
    )
    shop.add_argument("--state-dir", type=Path, help="the running stack's, if serve was given one")
    shop.set_defaults(func=store)

    shots = commands.add_parser(
        "screenshots",
        help="draw three emails in two languages into docs/emails/, or the demo's console at a "
        "phone's and a desktop's width into docs/console/",
    )
    shots.add_argument("what", choices=["emails", "console"])
    shots.add_argument("--lang", action="append", choices=i18n.LANGUAGES, help="a language (repeatable)")
    shots.add_argument("--out", type=Path, help="default: docs/emails/ or docs/console/")
    shots.add_argument("--content", type=Path, default=paths.CONTENT)
    shots.set_defaults(func=screenshots)


def _measurement_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    weigh_pages = commands.add_parser("budget", help="print the pages' weight and request budget")
    weigh_pages.add_argument("--site-dir", type=Path, help="measure this built site instead of a fresh build")
    weigh_pages.set_defaults(func=budget)

    measure = commands.add_parser(
        "bench",
        help="print import, overhead, site build and answer time figures; `bench viral` replays a "
        "viral code; `bench timing` measures the answer times alone",
    )
    measure.add_argument(
        "suite",
        nargs="?",
        choices=["viral", "timing"],
        help="viral: 3,000 clicks a second on one code for 10 minutes, against moto (hours); "
        "timing: /admin/sign-in and /me/link, known against unknown addresses (under a minute)",
    )
    measure.add_argument("--seconds", type=int, default=600, help="viral: simulated seconds (default 600)")
    measure.add_argument("--rate", type=int, default=3000, help="viral: clicks a second (default 3000)")
    measure.add_argument("--samples", type=int, default=9, help="fresh interpreters per import figure")
    measure.add_argument("--repeat", type=int, default=400, help="requests per overhead figure")
    measure.add_argument("--site-samples", type=int, default=3, help="builds per site build figure")
    measure.add_argument(
        "--requests",
        type=int,
        default=50,
        help="timing: requests per route, of known and of unknown addresses",
    )
    measure.add_argument(
        "--only",
        action="append",
        choices=["imports", "artifact", "overhead", "site", "timing"],
        help="run only this part (repeatable): handler imports in the dev environment and from the "
        "artifact, side by side (`artifact` names the same table), warm overhead, the site build "
        "against plain Pelican, the link routes' answer times",
    )
    measure.set_defaults(func=bench)

    price = commands.add_parser(
        "cost",
        help="what a million clicks cost: the template's settings, calls measured on moto, list prices",
    )
    price.set_defaults(func=cost)

    score = commands.add_parser(
        "lighthouse", help="Lighthouse scores of every page type in every language (installs it once)"
    )
    score.add_argument(
        "--lang", action="append", choices=i18n.LANGUAGES, help="only this language (repeatable)"
    )
    score.add_argument(
        "--kind",
        action="append",
        choices=[
            "index",
            "invite",
            "landing",
            "terms",
            "stats",
            "my_data",
            "unsubscribe",
            "admin",
            "notfound",
        ],
        help="only this page type (repeatable)",
    )
    score.set_defaults(func=lighthouse)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # The suite starts about a hundred interpreters (workers, sandboxes, the served stack,
    # fresh imports of each handler), and serve one per function: with bytecode caches, only
    # the first compiles what it imports, even on a machine that asks for none. .venv is ours,
    # and git ignores __pycache__.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if argv[:1] == ["test"]:  # all that follows is pytest's, options first included (-m unit, -x)
        return test(argv[1:])
    parser = argparse.ArgumentParser(prog="passaparola", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser(
        "test", help="run linters and the whole test suite; what follows goes to pytest (e.g. -m unit)"
    )

    compile_rules = commands.add_parser("rules", help="validate content/ and compile the rules file")
    compile_rules.add_argument("--content", type=Path, default=paths.CONTENT)
    compile_rules.add_argument("--out", type=Path, default=paths.RULES)
    compile_rules.set_defaults(func=rules)

    build_pages = commands.add_parser("site", help="build the site's pages into a folder")
    build_pages.add_argument("--out", type=Path, default=paths.BUILD / "site")
    build_pages.add_argument(
        "--api-url", default="", help="the API's base URL (default: the site's own origin)"
    )
    build_pages.add_argument("--site-url", default="", help="the site's public URL, for absolute links")
    build_pages.add_argument("--content", type=Path, default=paths.CONTENT)
    build_pages.add_argument("--rules", type=Path, default=paths.RULES)
    build_pages.add_argument("--no-rules", action="store_true", help="do not write the compiled rules")
    build_pages.add_argument(
        "--cache-dir", type=Path, help="where share pictures already drawn are kept (default .build/cache)"
    )
    build_pages.set_defaults(func=site)

    build_artifact = commands.add_parser("build", help="build the Lambda artifact (.build/lambda.zip)")
    build_artifact.add_argument("--content", type=Path, default=paths.CONTENT)
    build_artifact.add_argument("--out", type=Path, default=artifact.DEFAULT_OUT)
    build_artifact.set_defaults(func=build)

    migrate = commands.add_parser(
        "migrate-keys",
        help="after upgrading from 0.1.0: re-key people in a deployed stack's table (README, Upgrading)",
    )
    migrate.add_argument("--stack", required=True, help="the stack name given to sam deploy")
    migrate.add_argument("--region", help="the stack's region (default: your AWS configuration's)")
    migrate.set_defaults(func=migrate_keys)

    publish = commands.add_parser("deploy-site", help="build and publish the pages to a deployed stack")
    publish.add_argument("--stack", required=True, help="the stack name given to sam deploy")
    publish.add_argument("--region", help="the stack's region (default: your AWS configuration's)")
    publish.add_argument("--site-dir", type=Path, help="publish this already built site instead")
    publish.set_defaults(func=deploy_site)

    run_local = commands.add_parser("serve", help="run the site and the API locally, on moto")
    run_local.add_argument("--port", type=int, default=8000, help="the local port (default 8000)")
    run_local.add_argument("--demo", action="store_true", help="seed referrers, clicks and orders")
    run_local.add_argument(
        "--release-every", type=float, default=10.0, help="seconds between runs of the release schedule"
    )
    run_local.add_argument(
        "--state-dir", type=Path, help="where the built site and run state go (.build/local)"
    )
    run_local.add_argument(
        "--shop",
        choices=SHOP_PLATFORMS,
        help="the shop platform the local stack plays, in place of the brand file's",
    )
    run_local.add_argument(
        "--shop-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="also let pages of this origin embed /widget.js (e.g. your shop's dev server); repeatable",
    )
    run_local.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a template parameter, as sam deploy takes it (e.g. ClaimRateLimit=100/60); repeatable",
    )
    run_local.set_defaults(func=serve)

    _shop_and_email_commands(commands)

    _measurement_commands(commands)

    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
