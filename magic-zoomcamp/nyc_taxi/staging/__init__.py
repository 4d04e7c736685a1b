"""A month on disk between blocks, keyed by run: the source file a loader writes and the clean file writers read."""
