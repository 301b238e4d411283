"""Search: the transactional outbox that keeps the search index in step with SQL."""
