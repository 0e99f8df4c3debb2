"""Pages of inspection (稽核): the monthly re-review samples and the review of each sampled settlement with the
three comparisons, the sampling settings, on-site inspections with their findings and documents, remote
investigations with their deadlines, and the investigation statistics. Who may open or post each page is in
``permission_matrix.yaml``; every query starts from the user's scope, and each form calls one action, showing a
refusal as a message.
The modules follow the nouns: ``samples``, ``inspections``, ``investigations``, ``documents``; ``shared``."""
