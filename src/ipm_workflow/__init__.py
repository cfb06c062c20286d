"""ipm-workflow: declared journeys for youth international mobility."""

__version__ = "0.1.0"
