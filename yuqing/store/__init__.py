"""Storage adapters. Each imports only its own driver."""
