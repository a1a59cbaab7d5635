import GitMLCLI

// `git ml`, or `git mlcommit` when started through the `git-mlcommit` link (GitMLCLI/Entry.swift).
Entry.main()
