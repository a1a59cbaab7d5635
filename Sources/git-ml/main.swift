import GitMLCLI

GitML.mainWithDocumentedExitCodes()
