"""Leads (意向/对接): an enterprise's interest in a project, followed until it lands."""
