import GitMLCLI

GitMLCommit.main()
