"""Credit management (诚信管理) and anomaly screening (异常数据挖掘): credit events and scores of hospitals, doctors
and insured persons, the watch and black lists with their history, and the peer comparison of hospitals,
departments and doctors over a period. Other apps call ``dae.credit.actions.violations`` (``do_record_violation``,
``listed_levels``) and ``dae.credit.queries``."""
