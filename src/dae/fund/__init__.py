"""Fund management (基金管理): funds raised, quarterly appropriation requests, appropriations received, the
fund's own movements, the profit rate with its warnings, the overdraft warning and the temporary revolving fund,
and the year-end / contract-end clearing. Every money movement posts through ``dae.ledger.entries``."""
