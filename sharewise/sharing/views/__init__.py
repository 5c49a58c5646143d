"""Pages for consent, capacity, advice and the sharing decision wizard: thin around
sharing.access (scoped reads, written to the trail) and sharing.decisions (writes)."""
