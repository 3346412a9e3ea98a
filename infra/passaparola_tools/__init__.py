"""The developer's tooling: the `passaparola` command, the Lambda artifact, measurements
(bench, budget, Lighthouse), publishing the site, and the linters' environments."""
