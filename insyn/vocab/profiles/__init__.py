"""Profiles: each source format's mapping to and from the model, as read/write pairs.

- ``dcat_read`` / ``dcat_write``: DCAT-AP / DCAT-AP-SE RDF;
- ``iso19139_read``: ISO 19139 (gmd:MD_Metadata), as CSW serves it, after GeoDCAT-AP;
- ``ckan_read`` / ``ckan_write``: CKAN packages and organizations (with ckanext-dcat's fields);
- ``oai_dc_read``: OAI-PMH Dublin Core (``oai_dc:dc``);
- ``erms_read``: FGS Ärendehantering (ERMS) XML of a diarium.

The rule: a profile turns a source's parsed record (an XML element, a JSON dict, RDF
triples) into ``insyn.vocab.model`` objects (read) or model objects back into the format
(write). No database access and no HTTP: fetching, paging and cursors stay in
``insyn.connectors``, lookups in the catalogue stay with the caller, which passes plain values.
"""
