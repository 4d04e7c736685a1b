# The Mage image the course uses, pinned to the version the project is tested with.
FROM mageai/mageai:0.9.80

ARG PROJECT_NAME=magic-zoomcamp
ARG USER_CODE_PATH=/home/src/${PROJECT_NAME}

# Only what the image lacks (requirements-image.txt: pgpq, isal), with every version the image has as a
# constraint, read from the image itself: nothing of Mage's changes version (a plain `pip3 install -r
# requirements.txt` upgraded urllib3 to 2.x, past botocore's <1.27, and every S3 block of Mage failed to import).
# The build fails if `pip3 check` fails afterwards. Where requirements.txt (the dev venv's pins, Python 3.11) asks
# for other versions than the image has, the image's are kept: the project runs with them (`make image-venv`
# installs the image's set, image/mageai-0.9.80.txt, on Python 3.10, applies this same script and runs the unit
# tests and api_to_postgres in it). To need a newer version of a package the image has, say so here and drop its
# line from the constraints deliberately.
COPY requirements-image.txt image/add-packages.sh /tmp/deps/
RUN sh /tmp/deps/add-packages.sh /tmp/deps/requirements-image.txt

# The project's own package (magic-zoomcamp/nyc_taxi), importable by every block. Installed in
# editable mode so that the bind-mounted working copy is what runs.
COPY pyproject.toml /home/src/pyproject.toml
COPY magic-zoomcamp/nyc_taxi /home/src/magic-zoomcamp/nyc_taxi
RUN pip3 install --no-cache-dir --no-deps -e /home/src

ENV USER_CODE_PATH=${USER_CODE_PATH}
# How the blocks allocate: the same settings as devstack/mage.py's MEMORY_SETTINGS (why: there).
ENV MALLOC_MMAP_THRESHOLD_=131072 MIMALLOC_PURGE_DELAY=0
WORKDIR /home/src
