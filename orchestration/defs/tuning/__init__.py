"""Detector tuning over the lake: a sweep recorded in PostgreSQL `tuning_results`."""
