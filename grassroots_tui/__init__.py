"""grassroots-tui: the daily work log of a community mass-work station (群众工作站)."""

__version__ = "0.1.0"
