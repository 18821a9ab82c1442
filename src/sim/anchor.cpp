// Anchor until the simulator lands.
