"""Who may do what: roles and permissions (`roles`), the local accounts (`accounts`), how people sign in
(`signin`)."""
