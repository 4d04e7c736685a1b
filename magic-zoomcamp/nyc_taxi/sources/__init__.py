"""Where months come from: the files over HTTP (downloaded, then parsed into typed batches) and GCS partitions."""
