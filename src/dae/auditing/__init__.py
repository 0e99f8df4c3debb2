"""Audit runs and the suspicious-item workflow (智能审核 / 疑点处理) around the rule engine in :mod:`dae.audit`."""
