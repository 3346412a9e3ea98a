"""The emails the kit sends: what each says (catalogue) and how it is laid out (layout)."""
