PARSER_VERSION = "0.1.0"  # bump whenever a parse can change: stored records are re-parsed by it
