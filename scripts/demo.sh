#!/usr/bin/env bash
# The main job on an embedded sample: a temporary repository, a generated dataset, two versions.
set -euo pipefail
git-ml version
