#!/bin/sh
# Adds the packages pinned in a requirements file ($1) to the Python environment whose `pip3` comes first on PATH,
# without changing the version of anything already installed there, and fails unless `pip3 check` passes after.
# The Dockerfile runs it on the Mage image (requirements-image.txt); `make image-venv` runs the same file on the
# image's stand-in (a Python 3.10 venv holding image/mageai-<version>.txt).
set -eu
requirements="$1"
constraints="$(mktemp)"
trap 'rm -f "$constraints"' EXIT
# The environment's own versions as constraints. `pip3 list --format=freeze` writes name==version for every
# package, also for those installed from git (the image has some), which `pip3 freeze` writes as URLs.
pip3 list --format=freeze > "$constraints"
# Wheels only: nothing compiles in the image (every pin has a CPython 3.10 wheel for linux x86_64 and aarch64,
# tests/unit/test_image_wheels.py). A pin the image's versions rule out fails here, saying which.
pip3 install --no-cache-dir --only-binary=:all: -r "$requirements" -c "$constraints"
pip3 check
