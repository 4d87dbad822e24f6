"""The shared vocabulary of Vietnamese text: normalising and folding, tokens, diacritics, English glossary,
synonyms, document names and references, question shapes, choices, planted instructions, markup.
Imports nothing of the project."""
