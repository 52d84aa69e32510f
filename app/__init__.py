"""Xianjie (衔接): offline-first desktop client for 两法衔接 units."""

__version__ = "0.1.0"
