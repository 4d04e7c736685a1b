"""NYC taxi trip pipelines: the typed, Mage-free logic that the project's blocks call."""
