"""aftersales: the after-sales service records of a furniture supplier, kept as YAML in git."""

__version__ = "0.1.0"
