"""Finding the passages: the hybrid retriever (dense + BM25 + clause references), the lexical index,
follow-up questions and term coverage."""
