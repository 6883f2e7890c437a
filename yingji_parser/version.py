PARSER_VERSION = "0.2.0"  # bump whenever a parse can change: stored records are re-parsed by it
