"""Answering: the extractive answerer, the claim check, the answer-or-refuse decision, the generative
answerer, trainee-answer checks, and the `Assistant` that takes a question from start to end."""
