import ArgumentParser
import BlobStore
import Records
import Workspace

/// `git ml remote add|list|remove`: blob remotes in ml/config.yaml.
struct RemoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remote",
        abstract: "Manage blob remotes (a shared directory or an S3-compatible store) in ml/config.yaml.",
        subcommands: [Add.self, List.self, Remove.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add or replace a blob remote.",
            discussion: """
                URL: file:///path, a plain path, or s3://bucket/prefix. Credentials are never written
                to the repository: they come from the standard AWS chain (AWS_ACCESS_KEY_ID /
                AWS_SECRET_ACCESS_KEY, a web identity token, AWS_PROFILE's profile in ~/.aws/config
                or ~/.aws/credentials with role_arn or credential_process, the container or EC2
                instance role).

                Examples: git ml remote add shared /mnt/team/ml --default
                          git ml remote add blobs s3://team-ml/churn --endpoint https://s3.example.com --region eu-west-1
                """)
        @Argument(help: "The remote's name.") var name: String
        @Argument(help: "Its URL.") var url: String
        @Option(help: "S3 endpoint (for stores other than AWS).") var endpoint: String?
        @Option(help: "S3 region.") var region: String?
        @Flag(help: "Use path-style S3 addressing (bucket in the path).") var pathStyle = false
        @Flag(help: "Make it the default remote.") var `default` = false

        func run() throws {
            try reportingErrors {
                guard DatasetRecord.isValidName(name) else { throw InputError("invalid remote name '\(name)': use letters, digits, '.', '_', '-'") }
                try openProject().setRemote(RemoteSpec(name: name, url: url, endpoint: endpoint, region: region,
                                                       pathStyle: pathStyle ? true : nil), makeDefault: `default`)
                print("remote \(name) → \(url)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List blob remotes and the config each comes from.",
            discussion: """
                A remote comes from the checked-out ml/config.yaml; on a branch whose
                ml/config.yaml defines none (made before `git ml remote add`), from the default
                branch's committed one; else from the local git config (gitml.remote.NAME.url,
                .endpoint, .region, .pathStyle; gitml.defaultRemote names the default).

                Example: git ml remote list
                """)
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try reportingErrors {
                let remotes = try openProject().listRemotes()
                if json {
                    printJSON(.object(Dictionary(uniqueKeysWithValues: remotes.map { spec, source, isDefault in
                        var o: [String: JSONValue] = ["url": .string(spec.url), "default": .bool(isDefault), "source": .string(source.description)]
                        if let e = spec.endpoint { o["endpoint"] = .string(e) }
                        if let r = spec.region { o["region"] = .string(r) }
                        return (spec.name, JSONValue.object(o))
                    })))
                    return
                }
                if remotes.isEmpty { print("no blob remotes; add one with `git ml remote add NAME URL`") }
                for (spec, source, isDefault) in remotes {
                    print("\(spec.name)\t\(spec.url)\(spec.endpoint.map { " (endpoint \($0))" } ?? "")\(isDefault ? "\t(default)" : "")\t(from \(source))")
                }
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a blob remote from ml/config.yaml.",
                                                        discussion: "Example: git ml remote remove shared")
        @Argument(help: "The remote's name.") var name: String

        func run() throws {
            try reportingErrors {
                try openProject().removeRemote(name)
                print("removed remote \(name)")
            }
        }
    }
}
