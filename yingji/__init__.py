"""yingji: the command line and the glue between crawler, parser and storage."""
