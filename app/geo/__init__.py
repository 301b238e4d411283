"""Cities, cooperation zones and their industry profiles; the industry taxonomy, TRL and modes."""
