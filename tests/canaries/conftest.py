"""The canaries that need a real PostgreSQL (Mage's state in it) use the integration tests' cluster."""
from tests.integration.conftest import postgres_cluster  # noqa: F401 a fixture, by its name
