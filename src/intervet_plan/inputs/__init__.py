"""Reading files: the only layer that reads input files. Its modules, in the order of a read:

- ``files`` (``read_case``) dispatches to ``csvfile`` (one CSV table), ``workbook`` (.xlsx)
  and ``yamlfile`` (YAML with line numbers) and gives a ``raw.RawCase`` of text tables;
- ``parsers`` and ``limits``: the value parsers and limits shared by case and scenario;
- ``schemas`` declares each table; ``case_tables`` checks each table by its schema,
  ``case_rules`` holds one generator per rule across tables; ``case`` gives the typed Case;
- ``scenario`` (the typed Scenario), ``scenario_file`` (``load_scenario``), read by
  ``scenario_reader`` and ``scenario_sections``; ``plan`` reads a previous plan;
- ``load`` reads everything a run needs (``load_inputs``).
"""
