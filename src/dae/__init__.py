"""dae — 大额医疗费用补助承办管理系统 (administration of employees' supplementary large-medical-expense insurance)."""

__version__ = "0.1.0"
