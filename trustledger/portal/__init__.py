"""The client portal: contacts sign in by magic link and see what the firm shares with them."""
