"""{{ cookiecutter.project_description }}."""

__version__ = {{ cookiecutter.version | tojson }}
