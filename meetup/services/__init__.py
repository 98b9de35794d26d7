"""The domain: one module per job. Explicit arguments, no request globals, domain errors."""
