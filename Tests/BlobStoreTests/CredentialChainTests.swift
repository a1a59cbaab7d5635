import Foundation
import XCTest
import MotoSupport
@testable import BlobStore

/// The AWS credential chain against real stand-ins on loopback: moto for STS and S3, a local
/// HTTP server for the container and IMDSv2 endpoints, real scripts for `credential_process`.
final class CredentialChainTests: XCTestCase {
    /// A HOME with `~/.aws/config` and `~/.aws/credentials` holding `config` and `credentials`.
    private func home(config: String = "", credentials: String = "") throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path + "/.aws", withIntermediateDirectories: true)
        write(Array(config.utf8), to: dir.path + "/.aws/config")
        write(Array(credentials.utf8), to: dir.path + "/.aws/credentials")
        return dir
    }

    private func fetch(_ environment: [String: String]) throws -> AWSCredentials {
        try AWSCredentialChain(environment: environment).provider().fetch()
    }

    /// The chain's error for `environment`, as the user reads it.
    private func failure(_ environment: [String: String], file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let credentials = try fetch(environment)
            XCTFail("expected an error, got \(credentials)", file: file, line: line)
            return ""
        } catch {
            return "\(error)"
        }
    }

    func testEnvironmentBeatsProfileBeatsContainerBeatsInstanceMetadata() throws {
        let standIn = try MetadataStandIn()
        let profiles = try home(credentials: "[default]\naws_access_key_id = AKPROFILE\naws_secret_access_key = s1\n")
        let empty = try home()
        var environment = ["HOME": profiles.path, "AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": "s0",
                           "AWS_CONTAINER_CREDENTIALS_FULL_URI": standIn.endpoint + "/ecs/credentials",
                           "AWS_CONTAINER_AUTHORIZATION_TOKEN": MetadataStandIn.containerToken,
                           "AWS_EC2_METADATA_SERVICE_ENDPOINT": standIn.endpoint]
        XCTAssertEqual(try fetch(environment), AWSCredentials(accessKeyID: "AKENV", secretAccessKey: "s0"))
        environment["AWS_ACCESS_KEY_ID"] = nil
        environment["AWS_SECRET_ACCESS_KEY"] = nil
        XCTAssertEqual(try fetch(environment), AWSCredentials(accessKeyID: "AKPROFILE", secretAccessKey: "s1"))
        environment["HOME"] = empty.path
        let container = try fetch(environment)
        XCTAssertEqual(container.accessKeyID, "ASIAECS1")
        XCTAssertEqual(container.sessionToken, "stand-in-token")
        XCTAssertNotNil(container.expiration)
        environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = nil
        XCTAssertEqual(try fetch(environment).accessKeyID, "ASIAIMDS1")
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        XCTAssertThrowsError(try fetch(environment)) { XCTAssertEqual($0 as? AWSCredentialError, .notFound) }
    }

    func testProfilesMergeTheConfigAndCredentialsFiles() throws {
        let dir = try home(config: """
            [default]
            region = eu-west-1
            s3 =
              max_concurrent_requests = 4
            [profile ci]
            aws_access_key_id = AKCONFIG
            aws_secret_access_key = from-config
            [sso-session corp]
            sso_region = eu-west-1
            """, credentials: """
            # team keys
            [ci]
            aws_access_key_id=AKCI
            aws_secret_access_key=s2
            aws_session_token=t2
            [half]
            aws_access_key_id = AKHALF
            """)
        XCTAssertEqual(try fetch(["HOME": dir.path, "AWS_PROFILE": "ci"]),
                       AWSCredentials(accessKeyID: "AKCI", secretAccessKey: "s2", sessionToken: "t2"))
        let config = AWSSharedConfig.load(["HOME": dir.path])
        XCTAssertEqual(config.profiles["default"], ["region": "eu-west-1"])
        XCTAssertNil(config.profiles["corp"])
        // The default profile exists but holds no credentials: said, not skipped.
        XCTAssertTrue(failure(["HOME": dir.path]).contains("profile 'default'"))
        XCTAssertTrue(failure(["HOME": dir.path, "AWS_PROFILE": "half"]).contains("only one of aws_access_key_id"))
        let absent = failure(["HOME": dir.path, "AWS_PROFILE": "absent"])
        XCTAssertTrue(absent.contains("profile 'absent'") && absent.contains(dir.path + "/.aws/config"), absent)
        XCTAssertTrue(failure(["HOME": dir.path, "AWS_ACCESS_KEY_ID": "AK"]).contains("AWS_SECRET_ACCESS_KEY is not"))
    }

    func testCredentialProcessOutputIsParsedAndNeverShown() throws {
        let dir = try home()
        try FileManager.default.createDirectory(atPath: dir.path + "/tools dir", withIntermediateDirectories: true)
        let script = dir.path + "/tools dir/creds.sh"
        write(Array("""
            #!/bin/sh
            case "$1" in
              good) printf '{"Version": 1, "AccessKeyId": "AKPROC-%s", "SecretAccessKey": "process-secret", \
            "SessionToken": "process-token", "Expiration": "2099-01-01T00:00:00Z"}' "$2" ;;
              bad) printf '{"AccessKeyId": "AKPROC", "SecretAccessKey": "leaked-secret"}' ;;
              *) echo "token expired, log in again" >&2; exit 3 ;;
            esac
            """.utf8), to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        write(Array("""
            [profile good]
            credential_process = "\(script)" good "two words"
            [profile bad]
            credential_process = "\(script)" bad
            [profile failing]
            credential_process = "\(script)"
            """.utf8), to: dir.path + "/.aws/config")
        XCTAssertEqual(CredentialProcessProvider.arguments(#""/a b/c" x  "y z""#), ["/a b/c", "x", "y z"])
        let good = try fetch(["HOME": dir.path, "AWS_PROFILE": "good"])
        XCTAssertEqual(good.accessKeyID, "AKPROC-two words")
        XCTAssertEqual(good.sessionToken, "process-token")
        XCTAssertEqual(good.expiration, ISO8601DateFormatter().date(from: "2099-01-01T00:00:00Z"))
        let bad = failure(["HOME": dir.path, "AWS_PROFILE": "bad"])
        XCTAssertTrue(bad.contains("\"Version\": 1") && !bad.contains("leaked-secret"), bad)
        let failing = failure(["HOME": dir.path, "AWS_PROFILE": "failing"])
        XCTAssertTrue(failing.contains("status 3: token expired, log in again"), failing)
        XCTAssertFalse("\(good)".contains("process-secret"))
    }

    func testContainerCredentialsNeedTheAuthorizationTokenAndAnAllowedHost() throws {
        let standIn = try MetadataStandIn()
        let dir = try home()
        write(Array((MetadataStandIn.containerToken + "\n").utf8), to: dir.path + "/token")
        let base = ["HOME": dir.path, "AWS_CONTAINER_CREDENTIALS_FULL_URI": standIn.endpoint + "/ecs/credentials"]
        XCTAssertEqual(try fetch(base.merging(["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": dir.path + "/token",
                                                "AWS_CONTAINER_AUTHORIZATION_TOKEN": "ignored"]) { $1 }).accessKeyID,
                       "ASIAECS1")
        let refused = failure(base.merging(["AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong"]) { $1 })
        XCTAssertTrue(refused.contains("container credentials") && refused.contains("HTTP 403"), refused)
        let remote = failure(["HOME": dir.path, "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://example.com/creds"])
        XCTAssertTrue(remote.contains("must be https"), remote)
    }

    func testInstanceMetadataUsesAnIMDSv2TokenAndRefreshesBeforeExpiry() throws {
        let soon = try MetadataStandIn(expiresIn: 120)  // inside the refresh margin: every use asks again
        let dir = try home()
        let environment = ["HOME": dir.path, "AWS_EC2_METADATA_SERVICE_ENDPOINT": soon.endpoint + "/"]
        let cache = AWSCredentialCache(try AWSCredentialChain(environment: environment).provider())
        XCTAssertEqual(try cache.fetch().accessKeyID, "ASIAIMDS1")
        XCTAssertEqual(try cache.fetch().accessKeyID, "ASIAIMDS2")
        let later = try MetadataStandIn(expiresIn: 3600)
        let stable = AWSCredentialCache(InstanceMetadataProvider(
            environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": later.endpoint], lastResort: false))
        XCTAssertEqual(try stable.fetch().accessKeyID, "ASIAIMDS1")
        XCTAssertEqual(try stable.fetch().accessKeyID, "ASIAIMDS1")
        // Within the margin of the cached expiry, the next use fetches anew.
        XCTAssertEqual(try stable.current(at: Date().addingTimeInterval(3600 - 60)).accessKeyID, "ASIAIMDS2")
        // Nothing listening: the last resort means "no credentials"; a named source is a failure.
        let closed = ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1"]
        XCTAssertThrowsError(try InstanceMetadataProvider(environment: closed, lastResort: true).fetch()) {
            XCTAssertEqual($0 as? AWSCredentialError, .notFound)
        }
        XCTAssertThrowsError(try InstanceMetadataProvider(environment: closed, lastResort: false).fetch()) {
            XCTAssertTrue("\($0)".contains("EC2 instance metadata (http://127.0.0.1:1)"), "\($0)")
        }
    }

    func testProfileMistakesAreNamed() throws {
        let dir = try home(config: """
            [profile a]
            role_arn = arn:aws:iam::123456789012:role/a
            source_profile = b
            [profile b]
            role_arn = arn:aws:iam::123456789012:role/b
            source_profile = a
            [profile orphan]
            role_arn = arn:aws:iam::123456789012:role/o
            [profile sso]
            sso_session = corp
            sso_account_id = 123456789012
            [profile mfa]
            role_arn = arn:aws:iam::123456789012:role/m
            source_profile = a
            mfa_serial = arn:aws:iam::123456789012:mfa/me
            [profile dangling]
            role_arn = arn:aws:iam::123456789012:role/d
            source_profile = nowhere
            """)
        let cycle = failure(["HOME": dir.path, "AWS_PROFILE": "a"])
        XCTAssertTrue(cycle.contains("cycle: a → b → a"), cycle)
        XCTAssertTrue(failure(["HOME": dir.path, "AWS_PROFILE": "orphan"]).contains("needs source_profile"))
        let sso = failure(["HOME": dir.path, "AWS_PROFILE": "sso"])
        XCTAssertTrue(sso.contains("sso_session 'corp' has no [sso-session corp] section"), sso)
        XCTAssertTrue(failure(["HOME": dir.path, "AWS_PROFILE": "mfa"]).contains("MFA"))
        XCTAssertTrue(failure(["HOME": dir.path, "AWS_PROFILE": "dangling"]).contains("source_profile 'nowhere'"))
        XCTAssertTrue(failure(["HOME": dir.path, "AWS_WEB_IDENTITY_TOKEN_FILE": "/t"]).contains("AWS_ROLE_ARN is not set"))
    }

    func testSSOProfilesExchangeTheCachedTokenAtThePortal() throws {
        let standIn = try MetadataStandIn()
        let dir = try home(config: """
            [profile dev]
            sso_session = corp
            sso_account_id = 123456789012
            sso_role_name = Admin
            [sso-session corp]
            sso_start_url = https://corp.awsapps.com/start
            sso_region = eu-west-1
            [profile legacy]
            sso_start_url = https://legacy.awsapps.com/start
            sso_region = eu-west-1
            sso_account_id = 123456789012
            sso_role_name = Admin
            [profile partial]
            sso_start_url = https://legacy.awsapps.com/start
            """)
        let cache = dir.path + "/.aws/sso/cache"
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        // The AWS CLI names the file by the SHA-1 of the session name (legacy profiles: of the start URL).
        write(Array(#"{"accessToken": "sso-access-token", "expiresAt": "2099-01-01T00:00:00Z"}"#.utf8),
              to: cache + "/ee0bfd2552fbd840c02cc48b6e823320543c450f.json")
        write(Array(#"{"accessToken": "sso-access-token", "expiresAt": "2020-01-01T00:00:00Z"}"#.utf8),
              to: cache + "/79e435d7a515078e81c9dffc35f38d5687ebd3a7.json")
        let environment = ["HOME": dir.path, "AWS_ENDPOINT_URL_SSO": standIn.endpoint]
        let credentials = try fetch(environment.merging(["AWS_PROFILE": "dev"]) { $1 })
        XCTAssertEqual(credentials, AWSCredentials(accessKeyID: "ASIASSO1", secretAccessKey: "sso-secret",
                                                   sessionToken: "sso-token", expiration: Date(timeIntervalSince1970: 4_070_908_800)))
        let expired = failure(environment.merging(["AWS_PROFILE": "legacy"]) { $1 })
        XCTAssertTrue(expired.contains("profile 'legacy' (SSO)") && expired.contains("aws sso login --profile legacy"), expired)
        XCTAssertFalse(expired.contains("sso-access-token"))
        XCTAssertTrue(failure(environment.merging(["AWS_PROFILE": "partial"]) { $1 }).contains("sso_region"))
    }

    // MARK: STS and S3 on moto

    nonisolated(unsafe) private static var server: MotoServer?

    override class func tearDown() {
        server = nil
        super.tearDown()
    }

    /// The shared moto server, whose user may use S3, STS and IAM, and a role `gitml-pusher` it
    /// may assume (allowed S3). Returns the server and the role's ARN.
    private func moto() throws -> (MotoServer, String) {
        guard let binary = MotoServer.binary() else {
            throw XCTSkip("moto_server is not installed; install it with: python3 -m venv /tmp/moto-venv && "
                + "/tmp/moto-venv/bin/pip install 'moto[server]' (or set MOTO_SERVER to its path)")
        }
        if Self.server == nil {
            let server = try MotoServer(binary: binary, allow: ["s3:*", "sts:*", "iam:*"])
            let iam = AWSQueryAPI(endpoint: server.endpoint, region: "us-east-1", service: "iam", version: "2010-05-08")
            let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"#
                + #""Action":["sts:AssumeRole","sts:AssumeRoleWithWebIdentity"]}]}"#
            _ = try iam.call([("Action", "CreateRole"), ("RoleName", "gitml-pusher"), ("AssumeRolePolicyDocument", trust)],
                             signedWith: server.credentials, source: "test setup")
            let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
            _ = try iam.call([("Action", "PutRolePolicy"), ("RoleName", "gitml-pusher"), ("PolicyName", "s3"),
                              ("PolicyDocument", policy)], signedWith: server.credentials, source: "test setup")
            Self.server = server
        }
        return (Self.server!, "arn:aws:iam::123456789012:role/gitml-pusher")
    }

    func testSourceProfileRoleGetsSTSCredentialsThatPushAndPull() throws {
        let (server, role) = try moto()
        let dir = try home(config: """
            [profile pusher]
            role_arn = \(role)
            source_profile = base
            role_session_name = gitml-test
            external_id = team-42
            duration_seconds = 900
            """, credentials: """
            [base]
            aws_access_key_id = \(server.credentials.accessKeyID)
            aws_secret_access_key = \(server.credentials.secretAccessKey)
            """)
        let environment = ["HOME": dir.path, "AWS_PROFILE": "pusher", "AWS_ENDPOINT_URL_STS": server.endpoint.absoluteString,
                           "AWS_EC2_METADATA_DISABLED": "true"]
        let assumed = try fetch(environment)
        XCTAssertTrue(assumed.accessKeyID.hasPrefix("ASIA"), assumed.accessKeyID)
        XCTAssertNotEqual(assumed.accessKeyID, server.credentials.accessKeyID)
        XCTAssertNotNil(assumed.sessionToken)
        XCTAssertNotNil(assumed.expiration)

        let spec = RemoteSpec(name: "team-s3", url: "s3://gitml-role-bucket/repo/ml", endpoint: server.endpoint.absoluteString,
                              pathStyle: true)
        let remote = try XCTUnwrap(try spec.open(environment: environment) as? S3Remote)
        try remote.createBucket()
        try RemoteScenario().checkRoundTrip(remote)

        // Wrong source keys: STS's refusal is named, the secret is not.
        let wrong = try home(config: "[profile pusher]\nrole_arn = \(role)\nsource_profile = base\n",
                             credentials: "[base]\naws_access_key_id = \(server.credentials.accessKeyID)\n"
                                + "aws_secret_access_key = not-the-secret\n")
        let refused = failure(environment.merging(["HOME": wrong.path]) { $1 })
        XCTAssertTrue(refused.contains("profile 'pusher' (role_arn \(role))") && refused.contains("STS AssumeRole refused"),
                      refused)
        XCTAssertFalse(refused.contains("not-the-secret"))
    }

    func testWebIdentityTokenFilesAssumeTheRole() throws {
        guard let binary = MotoServer.binary() else { throw XCTSkip("moto_server is not installed") }
        // A server of its own: moto refuses unsigned AssumeRoleWithWebIdentity calls while it checks signatures.
        let server = try MotoServer(binary: binary, checksSignatures: false)
        let role = "arn:aws:iam::123456789012:role/gitml-pusher"
        let dir = try home(config: "[profile k8s]\nrole_arn = \(role)\nweb_identity_token_file = \(NSTemporaryDirectory())/absent\n")
        write(Array("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2ln\n".utf8), to: dir.path + "/token")
        let environment = ["HOME": dir.path, "AWS_WEB_IDENTITY_TOKEN_FILE": dir.path + "/token", "AWS_ROLE_ARN": role,
                           "AWS_ROLE_SESSION_NAME": "pod", "AWS_ENDPOINT_URL": server.endpoint.absoluteString]
        let assumed = try fetch(environment)
        XCTAssertTrue(assumed.accessKeyID.hasPrefix("ASIA"), assumed.accessKeyID)
        XCTAssertNotNil(assumed.sessionToken)
        let unreadable = failure(["HOME": dir.path, "AWS_PROFILE": "k8s", "AWS_ENDPOINT_URL": server.endpoint.absoluteString])
        XCTAssertTrue(unreadable.contains("cannot read the web identity token file"), unreadable)
    }

    /// The signer asks the provider before each request: credentials about to expire are fetched
    /// again during a transfer, not used until S3 refuses them.
    func testS3RequestsRefreshCredentialsThatAreAboutToExpire() throws {
        let (server, _) = try moto()
        let dir = try home()
        let script = dir.path + "/rotating.sh"
        write(Array("""
            #!/bin/sh
            echo run >> "\(dir.path)/runs"
            expires=$(date -u -d '+2 minutes' +%Y-%m-%dT%H:%M:%SZ)
            printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "Expiration": "%s"}' \
              "\(server.credentials.accessKeyID)" "\(server.credentials.secretAccessKey)" "$expires"
            """.utf8), to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        write(Array("[default]\ncredential_process = \(script)\n".utf8), to: dir.path + "/.aws/config")
        let spec = RemoteSpec(name: "team-s3", url: "s3://gitml-rotating/repo/ml", endpoint: server.endpoint.absoluteString,
                              pathStyle: true)
        let remote = try spec.open(environment: ["HOME": dir.path, "PATH": "/usr/bin:/bin"])
        try (remote as? S3Remote)?.createBucket()
        try remote.put("a", bytes: [1, 2, 3])
        XCTAssertEqual(try remote.get("a", range: nil), [1, 2, 3])
        let runs = try String(contentsOfFile: dir.path + "/runs", encoding: .utf8).split(separator: "\n").count
        XCTAssertEqual(runs, 4)  // the open, then once per request
    }
}
