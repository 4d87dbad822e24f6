"""For trainers: quizzes built from the documents and handouts (Markdown, Word)."""
