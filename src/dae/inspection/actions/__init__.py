"""The writes of inspection (稽核), split by noun: ``samples`` (the monthly re-review sample), ``documents`` (scans,
photos, materials), ``inspections`` (on-site inspections), ``investigations`` (remote investigations); ``shared``
holds what they share. Each ``do_*`` checks its input first (a refusal is a ``DaeError`` with a Chinese message
and nothing written), then runs in one transaction with its event (``inspection.*``). Callers import the noun's
module (``from dae.inspection.actions import samples``)."""
