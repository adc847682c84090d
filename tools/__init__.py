"""Tools for building and releasing the program (not part of the installed package)."""
