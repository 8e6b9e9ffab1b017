"""Channel adapters (one module per channel) and the channel kinds they share."""
