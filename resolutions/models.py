"""Resolutions, tasks, votes, meetings and reviews stand here, on top of ``members``."""
