"""驻院监控 (in-hospital monitoring): admissions reported while the insured person is still in hospital (2401/2402/
2404), resident representatives and patrol staff with their rotation, bedside visits (查床) whose absent patients
and identity mismatches become 挂床 / 冒名 findings, the hand-over register, opinions and statistics.
See ``docs/monitoring.md``."""
