"""Copy studio: grounded product and marketing copy, checked against the product record."""
