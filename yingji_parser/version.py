PARSER_VERSION = "0.2.1"  # bump whenever a parse can change: stored records are re-parsed by it
