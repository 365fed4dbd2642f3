"""Demo data bundled with Insyn: the catalogue of the fictional municipality Exempelby kommun.

``data/exempelby-katalog.ttl`` is a DCAT-AP-SE 3.0 catalogue with the governance extension
(``insyn:``); ``generate.py`` writes it from the curated data in that module.
"""
