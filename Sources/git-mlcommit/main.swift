import GitMLCLI

GitML.main(["version"])
