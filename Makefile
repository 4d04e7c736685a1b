# The two commands: `make run` (the job on the local stack) and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
VENV_PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EMULATOR_VENV := .venv-emulators
EMULATOR_STAMP := $(EMULATOR_VENV)/.installed
STACK := $(VENV_PY) -m devstack
NAME ?= api_to_postgres
VARS ?= {"taxi_type": "yellow", "year": 2021, "month": 1}

.PHONY: run test browser docker-compose image-lock image-build-deps image-venv python310 bench ui venv up down pipeline backfill sample summary coverage clean unit integration canaries

DEMO_VARS := {"taxi_type": "yellow", "year": 2021, "month": 1, "execution_date": "2021-01-15", "start_date": "2021-01-01", "end_date": "2021-01-31"}
# The other sources beside it: an FHV month of the release, a 2025 yellow month of the TLC's parquet files, and
# a high-volume FHV month of the TLC's parquet files (the course's Spark month).
FHV_VARS := {"taxi_type": "fhv", "year": 2019, "month": 1}
TLC_VARS := {"taxi_type": "yellow", "source": "tlc", "year": 2025, "month": 1}
FHVHV_VARS := {"taxi_type": "fhvhv", "source": "tlc", "year": 2021, "month": 6}

run: venv up
	$(STACK) pipeline test_config
	$(STACK) pipeline api_to_postgres '$(DEMO_VARS)'
	$(STACK) pipeline api_to_gcs '$(DEMO_VARS)'
	$(STACK) pipeline gcs_to_bigquery '$(DEMO_VARS)'
	$(STACK) pipeline taxi_zones
	$(STACK) pipeline api_to_postgres '$(FHV_VARS)'
	$(STACK) pipeline api_to_postgres '$(TLC_VARS)'
	$(STACK) pipeline api_to_postgres '$(FHVHV_VARS)'
	$(STACK) summary --pipelines api_to_postgres,api_to_gcs,gcs_to_bigquery --report reports '$(DEMO_VARS)'
	$(STACK) summary --pipelines api_to_postgres '$(FHV_VARS)'
	$(STACK) summary --pipelines api_to_postgres '$(TLC_VARS)'
	$(STACK) summary --pipelines api_to_postgres '$(FHVHV_VARS)'
	$(STACK) coverage --report reports '{"taxi_types": "yellow,green", "first_month": "2020-10", "last_month": "2021-02"}'

# Two workers: the tests wait on servers as much as they compute, so both cores stay busy.
TEST_WORKERS ?= 2

test: venv browser docker-compose
	$(VENV_PY) -m pytest -n $(TEST_WORKERS)

# Debian's Chromium for tests/e2e, where the machine lets us install it; without it those tests skip.
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver) >/dev/null 2>&1 \
		|| echo "Chromium not installed (needs apt-get as root): the browser tests will be skipped"

# Debian's docker-compose (1.29, no Docker engine: not its recommended docker.io) renders docker-compose.yml
# for tests/unit/test_compose_config.py; without it those tests skip.
docker-compose:
	@command -v docker-compose >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq --no-install-recommends docker-compose) >/dev/null 2>&1 \
		|| echo "docker-compose not installed (needs apt-get as root): the compose tests will be skipped"


# The Mage image's Python packages, written down: image/mageai-<tag>.txt, the tag our Dockerfile starts FROM.
# `make image-lock` resolves what Mage's own Dockerfile installs from PyPI (image/mageai-<tag>.in says what, and
# what not) with uv, for CPython 3.10 on manylinux_2_36 (python:3.10-bookworm's glibc 2.36), x86_64 and aarch64,
# and fails if the two architectures differ. PyPI as of IMAGE_LOCK_DATE: mage-ai 0.9.80 was published at
# 2026-10-09 20:33 UTC and the image built from it then, so a later release of anything is not in the image; a
# fixed date also makes the lock come out the same whenever it is made. ~40 s, metadata only.
MAGE_TAG := $(shell sed -n 's|^FROM mageai/mageai:||p' Dockerfile)
IMAGE_LOCK := image/mageai-$(MAGE_TAG).txt
IMAGE_LOCK_DATE := 2026-10-10T00:00:00Z
IMAGE_ARCHITECTURES := x86_64 aarch64
# uv from the dev venv (requirements-dev.txt), never downloading a Python of its own (only PyPI is reachable).
UV := UV_PYTHON_DOWNLOADS=never $(VENV)/bin/uv

image-lock: venv
	@set -e; work=$$(mktemp -d); trap 'rm -rf "$$work"' EXIT; \
	for architecture in $(IMAGE_ARCHITECTURES); do \
		$(UV) pip compile --quiet --python-version 3.10 --python-platform $$architecture-manylinux_2_36 \
			--exclude-newer $(IMAGE_LOCK_DATE) --annotation-style line --no-header \
			--output-file $$work/$$architecture.txt $(IMAGE_LOCK:.txt=.in); \
	done; \
	cmp -s $$work/x86_64.txt $$work/aarch64.txt || { diff $$work/x86_64.txt $$work/aarch64.txt; \
		echo "The image's set differs between x86_64 and aarch64: keep a lock per architecture" >&2; exit 1; }; \
	{ echo "# The Python packages of mageai/mageai:$(MAGE_TAG), as Mage's Dockerfile installs them from PyPI: made by"; \
	  echo "# \`make image-lock\` from $(IMAGE_LOCK:.txt=.in) (what it holds, and what not) with uv $$($(UV) --version | cut -d' ' -f2)"; \
	  echo "# for CPython 3.10 on manylinux_2_36, the same for x86_64 and aarch64, from PyPI as of $(IMAGE_LOCK_DATE)."; \
	  echo "# Do not edit: tests/unit/test_image_packages.py and \`make image-venv\` read it."; \
	  cat $$work/x86_64.txt; } > $(IMAGE_LOCK)
	@echo "$(IMAGE_LOCK): $$(grep -c '==' $(IMAGE_LOCK)) packages"

# The Docker image's install, stood in for without Docker: a fresh Python 3.10 venv (the image is FROM
# python:3.10-bookworm) holding exactly the image's set (the lock; psycopg2, gssapi, krb5 and others compile from
# source for 3.10, with Debian's libpq-dev and libkrb5-dev, which image-build-deps installs), then the Dockerfile's
# own step (image/add-packages.sh requirements-image.txt: the venv's versions as constraints, then `pip3 check`).
# Then: the venv before that step was the lock exactly, and the step only added requirements-image.txt's pins
# (devstack/image_packages.py); Mage's S3 client loads (it did not with urllib3 2.x); the unit tests and a
# `mage run` of api_to_postgres against the local stack pass in it, checked by the summary. uv's cache
# (UV_CACHE_DIR, else ~/.cache/uv) keeps what it built: see docs/development.md for the times. .ci/run runs it after
# make test.
IMAGE_VENV := .venv-image
IMAGE_PY := $(IMAGE_VENV)/bin/python
IMAGE_SCHEMA := image_venv
# python3.10 where it runs, else pyenv's 3.10 (whose python3.10 shim works only when 3.10 is selected).
PYTHON310 ?= $(shell for p in python3.10 $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.10*/bin/python3.10; do \
	"$$p" -c '' >/dev/null 2>&1 && { command -v "$$p"; break; }; done)

# Prints the Python 3.10 that image-venv uses; fails, saying so, when there is none.
python310:
	@test -n "$(PYTHON310)" || { echo "No Python 3.10 (python3.10, or pyenv's 3.10.x): set PYTHON310=/path/to/python3.10" >&2; exit 1; }
	@echo "$(PYTHON310)"

# The headers and config scripts the image's source-only packages compile against (Mage's image has them too).
image-build-deps:
	@command -v pg_config >/dev/null 2>&1 && command -v krb5-config >/dev/null 2>&1 \
		|| (apt-get update -qq && apt-get install -y -qq --no-install-recommends libpq-dev libkrb5-dev) >/dev/null \
		|| { echo "libpq-dev and libkrb5-dev are needed (apt-get, as root)" >&2; exit 1; }

image-venv: venv up python310 image-build-deps
	rm -rf $(IMAGE_VENV)
	$(PYTHON310) -m venv $(IMAGE_VENV)
	$(UV) pip install --quiet --python $(IMAGE_PY) -r $(IMAGE_LOCK)
	$(IMAGE_PY) -m pip list --format=freeze > $(IMAGE_VENV)/image-before.txt
	PATH="$(CURDIR)/$(IMAGE_VENV)/bin:$$PATH" sh image/add-packages.sh requirements-image.txt
	$(IMAGE_PY) -m pip list --format=freeze > $(IMAGE_VENV)/image-after.txt
	$(VENV_PY) -m devstack.image_packages check $(IMAGE_LOCK) $(IMAGE_VENV)/image-before.txt $(IMAGE_VENV)/image-after.txt
	$(IMAGE_PY) -c "import boto3; boto3.client('s3', region_name='us-east-1'); print('boto3 S3 client: loads')"
	$(IMAGE_PY) -m pip install --quiet --no-deps -e .
	rm -rf magic-zoomcamp/*.egg-info
	$(IMAGE_PY) -m pip install --quiet $$(grep -E '^(pytest|hypothesis)==' requirements-dev.txt) -c $(IMAGE_VENV)/image-after.txt
	$(IMAGE_PY) -m pytest -q -p no:cacheprovider tests/unit
	POSTGRES_SCHEMA=$(IMAGE_SCHEMA) $(IMAGE_PY) -m devstack pipeline api_to_postgres '$(DEMO_VARS)'
	POSTGRES_SCHEMA=$(IMAGE_SCHEMA) $(IMAGE_PY) -m devstack summary --pipelines api_to_postgres '$(DEMO_VARS)'

# Not a test: measures every load method on full-size generated months (see docs/performance.md).
bench: venv up
	$(VENV_PY) -m benchmarks.run

# Each fix to Mage's canary (part of make test): the bug on stock Mage, and the fix alone (docs/mage-fixes.md).
canaries: venv
	$(VENV_PY) -m pytest tests/canaries

unit: venv
	$(VENV_PY) -m pytest tests/unit

integration: venv
	$(VENV_PY) -m pytest tests/integration

venv: $(STAMP) $(EMULATOR_STAMP)

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10+ is needed (3.11 tested); set PYTHON=...")'
	test -x $(VENV_PY) || $(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install --quiet --upgrade pip
	$(VENV_PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt -c constraints.txt
	$(VENV_PY) -m pip install --quiet --no-deps -e .
	rm -rf magic-zoomcamp/*.egg-info
	touch $(STAMP)

$(EMULATOR_STAMP): requirements-emulators.txt
	test -x $(EMULATOR_VENV)/bin/python || $(PYTHON) -m venv $(EMULATOR_VENV)
	$(EMULATOR_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(EMULATOR_VENV)/bin/python -m pip install --quiet -r requirements-emulators.txt
	touch $(EMULATOR_STAMP)

up: venv
	$(STACK) up

down:
	@if [ -x $(VENV_PY) ]; then $(STACK) down; fi

pipeline: venv
	$(STACK) pipeline $(NAME) '$(VARS)'

# The Mage UI at http://127.0.0.1:6789 against the local stack; Ctrl-C stops Mage, `make down` Mage and the stack.
ui: venv up
	$(STACK) ui

# e.g. make backfill NAME=api_to_postgres START=2020-10-01 END=2020-12-01 INTERVAL=month VARS='{"taxi_type": "green"}'
INTERVAL ?= day
backfill: venv
	$(STACK) backfill --interval $(INTERVAL) $(NAME) $(START) $(END) '$(VARS)'

summary: venv
	$(STACK) summary --pipelines $(or $(PIPELINES),api_to_postgres) '$(VARS)'

# What is loaded where: e.g. make coverage COVERAGE_VARS='{"taxi_types": "yellow,green", "first_month": "2019-01"}'
# (prints it, writes reports/coverage.html; one HEAD request per month).
COVERAGE_VARS ?= {}
coverage: venv
	$(STACK) coverage --report reports '$(COVERAGE_VARS)'

sample: venv
	$(STACK) sample

clean: down
	rm -rf .local
