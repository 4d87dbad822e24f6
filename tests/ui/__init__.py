"""Tests of ui/: the Streamlit app, by AppTest and in a real browser."""
