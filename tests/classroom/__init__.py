"""Tests of assistant/classroom/: quizzes and handouts."""
