"""Platform Advisor: choose an engineering-metrics platform and show what teams return."""

__version__ = "0.1.0"
