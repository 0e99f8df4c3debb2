"""稽核 (inspection): sampling re-review of inpatient settlements with the three comparisons (抽样复审 / 病历审核
三比对), on-site inspections whose confirmed findings become deductions (现场巡查), and remote investigations with
their working-day deadlines and statistics (异地协查). See ``docs/inspection.md``."""
