# The Mage image the course uses, pinned to the version the project is tested with.
FROM mageai/mageai:0.9.80

ARG PROJECT_NAME=magic-zoomcamp
ARG USER_CODE_PATH=/home/src/${PROJECT_NAME}

# Only the direct pins: constraints.txt is the freeze of a Python 3.11 venv, and the image's Python is
# 3.10. Each pin has a CPython 3.10 wheel for linux/amd64 and linux/arm64 (tests/unit/test_image_wheels.py),
# so nothing compiles here; `make image-venv` does this install on Python 3.10 and runs the project in it.
COPY requirements.txt /tmp/deps/
RUN pip3 install --no-cache-dir -r /tmp/deps/requirements.txt

# The project's own package (magic-zoomcamp/nyc_taxi), importable by every block. Installed in
# editable mode so that the bind-mounted working copy is what runs.
COPY pyproject.toml /home/src/pyproject.toml
COPY magic-zoomcamp/nyc_taxi /home/src/magic-zoomcamp/nyc_taxi
RUN pip3 install --no-cache-dir --no-deps -e /home/src

ENV USER_CODE_PATH=${USER_CODE_PATH}
# How the blocks allocate: the same settings as devstack/mage.py's MEMORY_SETTINGS (why: there).
ENV MALLOC_MMAP_THRESHOLD_=131072 MIMALLOC_PURGE_DELAY=0
WORKDIR /home/src
