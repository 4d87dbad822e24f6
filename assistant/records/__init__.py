"""What the service keeps about its use: the audit trail (with retained copies), conversations,
feedback, and CSV export safe from formula injection."""
