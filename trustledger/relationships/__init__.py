"""Tier routines, relationship health checks and business reviews."""
