"""The `couplecare` command line."""
