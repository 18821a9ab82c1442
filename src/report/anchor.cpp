// Anchor until the report module lands.
