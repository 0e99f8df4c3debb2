"""The writes of credit (诚信管理), split by noun: ``violations`` (a confirmed violation, the scores and their
expiry, the listed levels read after it), ``watchlists`` (the manager's listing and delisting), ``parameters``
(the region's parameters as versions), ``screening`` (anomaly screening runs and their job). Each ``do_*`` checks
its input first, then writes in one transaction with its event (``credit.*``)."""
