"""Reading files: case folders and workbooks, scenario YAML with line numbers, the shared cell
parsers and limits, the declarative table schemas. The only layer that reads input files."""
