"""Profiles: each source format's mapping to and from the model, as read/write pairs.

- ``dcat_read`` / ``dcat_write``: DCAT-AP / DCAT-AP-SE RDF;
- ``iso19139_read``: ISO 19139 (gmd:MD_Metadata), as CSW serves it, after GeoDCAT-AP;
- ``ckan_read`` / ``ckan_write``: CKAN packages and organizations (with ckanext-dcat's fields);
- ``oai_dc_read``: OAI-PMH Dublin Core (``oai_dc:dc``);
- ``erms_read``: FGS Ärendehantering (ERMS) XML of a diarium;
- ``diarium_csv_read``: a diarium exported as a spreadsheet, one row at a time;
- ``sql_read``: a relational database's tables and views, as introspection found them;
- ``files_read``: a folder tree's folders and files, and media types from names and bytes.

The rule: a profile turns a source's parsed record (an XML element, a JSON dict, RDF
triples) into ``insyn.vocab.model`` objects (read) or model objects back into the format
(write). No database access, no HTTP and no file-system walking: connecting, fetching,
walking, paging and cursors stay in ``insyn.connectors``, lookups in the catalogue stay with
the caller, which passes plain values.
"""
