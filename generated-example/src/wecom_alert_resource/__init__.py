"""The resource's code: assets/check, assets/in and assets/out import it."""

__version__ = "0.1.0"
DESCRIPTION = "Concourse resource type that sends build alerts to a WeCom group robot"
