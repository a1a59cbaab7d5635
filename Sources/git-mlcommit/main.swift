import GitMLCLI

GitMLCommit.mainWithDocumentedExitCodes()
