"""Stage 4, results over a whole evaluation: quotas, targets (chỉ tiêu), and renderers (JSON,
CSV, tables, explanations). Shared by every backend."""
