"""Semantic product search and recommendations: hybrid BM25 + multilingual embeddings over the catalog."""
