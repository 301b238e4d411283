"""Technology needs (技术需求) posted by enterprises, cities and zones."""
