import GitMLCLI

GitML.main()
