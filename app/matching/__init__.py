"""Matching: explainable scores linking needs, projects, cities and zones."""
