"""Site search (the search app has no models of its own yet)."""
