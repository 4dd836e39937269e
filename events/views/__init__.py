"""The public site, a module per part: timeline and events, figures, the registry, sources, feeds."""
