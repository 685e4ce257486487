"""Recovery plans: acknowledge, root causes, improvement actions, updates, small wins, close."""
