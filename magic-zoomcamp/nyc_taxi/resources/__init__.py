"""The configured services (io_config profiles, GCS, checked names) that sources and targets are given."""
