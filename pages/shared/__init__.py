"""Widgets and cached resources shared by every page (the pages themselves stay thin)."""
