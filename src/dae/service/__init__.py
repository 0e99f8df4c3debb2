"""参保人服务: consultations, the knowledge base, complaints and tip-offs, satisfaction surveys, message templates and
campaigns, and payout explanations an insured person understands. See docs/service.md."""
