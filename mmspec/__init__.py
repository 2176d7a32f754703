"""mmspec: a model checker for Linux-kernel memory-management locking protocols."""

__version__ = "0.1.0"
