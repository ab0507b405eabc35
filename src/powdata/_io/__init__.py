"""The I/O concerns under the opened package: each a small module, each the one owner of its concern.

- ``escape``: untrusted text for messages, terminals and Markdown;
- ``gate``: the path gate and the limits (SECURITY.md);
- ``strict_json``: the one strict JSON reader and writer;
- ``integrity``: size, sha256 and header width, checked before parsing;
- ``csv_limit``: the csv module's field limit, stated by each reader for its read;
- ``git``: files at a git ref, through the same path rules;
- ``atomic``: the one writer of files and folders.
"""
