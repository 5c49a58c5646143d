"""Governance pages, one module per job. Each page fetches through governance.access
and writes through governance.operations, as the API does."""
