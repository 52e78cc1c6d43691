"""Concourse resource type that sends build alerts to a WeCom group robot."""

__version__ = {{ cookiecutter.version | tojson }}
DESCRIPTION = {{ cookiecutter.project_description | tojson }}
