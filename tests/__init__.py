"""The tests, one folder per room of the house (ARCHITECTURE.md).

Every folder is a package, so pytest imports each test module once, by the dotted name other tests
import it by (`tests.cli.test_cli`), and a folder may share its name with a room (`tests/ui`, `ui`).
"""
