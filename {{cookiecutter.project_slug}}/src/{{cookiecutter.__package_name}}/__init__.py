"""The resource's code: assets/check, assets/in and assets/out import it."""

__version__ = {{ cookiecutter.version | tojson }}
DESCRIPTION = {{ cookiecutter.project_description | tojson }}
