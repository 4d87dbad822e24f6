"""Tests of assistant/store/: embedded or served, shared by threads and processes, faults and crashes."""
