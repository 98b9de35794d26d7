"""The shared read-only report and the owners' follow-up pages (placeholder until they land)."""
