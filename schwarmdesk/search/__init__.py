"""Indexing and hybrid retrieval: lexical + semantic + fusion."""
