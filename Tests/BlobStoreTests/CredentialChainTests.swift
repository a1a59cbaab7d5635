import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
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

    /// Profile `dev` of SSO session `corp` (its cache file: the SHA-1 of `corp`), whose
    /// section ends the text.
    private static let corpSSO = """
        [profile dev]
        sso_session = corp
        sso_account_id = 123456789012
        sso_role_name = Admin
        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = eu-west-1

        """

    /// `dir`'s SSO token cache folder, created.
    private func ssoCache(_ dir: TemporaryDirectory) throws -> String {
        try FileManager.default.createDirectory(atPath: dir.path + "/.aws/sso/cache", withIntermediateDirectories: true)
        return dir.path + "/.aws/sso/cache"
    }

    func testSSOProfilesExchangeTheCachedTokenAtThePortal() throws {
        let standIn = try MetadataStandIn()
        let dir = try home(config: Self.corpSSO + """
            [profile legacy]
            sso_start_url = https://legacy.awsapps.com/start
            sso_region = eu-west-1
            sso_account_id = 123456789012
            sso_role_name = Admin
            [profile partial]
            sso_start_url = https://legacy.awsapps.com/start
            """)
        let cache = try ssoCache(dir)
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

    /// An `sso_session` profile whose cached token expired (or expires within 15 minutes) gets a
    /// new one from SSO-OIDC CreateToken with the cached refresh token and client registration,
    /// as the AWS CLI v2 does; the cache file is rewritten atomically, readable by its owner only.
    func testExpiredSSOTokensAreRefreshedWithTheCachedRefreshToken() throws {
        let standIn = try MetadataStandIn()
        let dir = try home(config: Self.corpSSO + "sso_registration_scopes = sso:account:access\n")
        let cache = try ssoCache(dir)
        let file = cache + "/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"
        func cacheToken(expiresAt: Date, refreshToken: String?, registrationExpiresAt: String = "2099-01-01T00:00:00Z") {
            var token: [String: Any] = ["startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1",
                                        "accessToken": "sso-access-token", "clientId": "sso-client",
                                        "clientSecret": "sso-client-secret", "registrationExpiresAt": registrationExpiresAt,
                                        "expiresAt": ISO8601DateFormatter().string(from: expiresAt)]
            token["refreshToken"] = refreshToken
            write(Array(try! JSONSerialization.data(withJSONObject: token)), to: file)
        }
        func tokenRequests() throws -> String {
            let response = try HTTPClient(timeout: 5).send(URLRequest(url: URL(string: standIn.endpoint + "/token-requests")!), body: nil)
            return String(decoding: response.body, as: UTF8.self)
        }
        let environment = ["HOME": dir.path, "AWS_PROFILE": "dev", "AWS_ENDPOINT_URL_SSO": standIn.endpoint,
                           "AWS_ENDPOINT_URL_SSO_OIDC": standIn.endpoint]
        cacheToken(expiresAt: Date(timeIntervalSinceNow: -3600), refreshToken: "sso-refresh-1")
        XCTAssertEqual(try fetch(environment).accessKeyID, "ASIASSO1")
        XCTAssertEqual(try tokenRequests(), "1")
        let rewritten = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file)))
            as? [String: Any])
        XCTAssertEqual(rewritten["accessToken"] as? String, "sso-access-token")
        XCTAssertEqual(rewritten["refreshToken"] as? String, "sso-refresh-2")
        XCTAssertEqual(rewritten["clientId"] as? String, "sso-client")
        XCTAssertEqual(rewritten["startUrl"] as? String, "https://corp.awsapps.com/start")
        let expiresAt = try XCTUnwrap((rewritten["expiresAt"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
        XCTAssertGreaterThan(expiresAt.timeIntervalSinceNow, 3500)
        let mode = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
        XCTAssertEqual(mode & 0o077, 0, "the token cache must not be readable by others")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cache), ["ee0bfd2552fbd840c02cc48b6e823320543c450f.json"])
        // The refreshed token is used as it is.
        XCTAssertEqual(try fetch(environment).accessKeyID, "ASIASSO2")
        XCTAssertEqual(try tokenRequests(), "1")
        // Due within the refresh window but still valid: a refused refresh keeps the token.
        cacheToken(expiresAt: Date(timeIntervalSinceNow: 300), refreshToken: "sso-refresh-stale")
        XCTAssertEqual(try fetch(environment).accessKeyID, "ASIASSO3")
        XCTAssertEqual(try tokenRequests(), "2")
        // Expired and refused: log in again; neither the refresh token nor the client secret shown.
        cacheToken(expiresAt: Date(timeIntervalSinceNow: -60), refreshToken: "sso-refresh-stale")
        let refused = failure(environment)
        XCTAssertTrue(refused.contains("CreateToken") && refused.contains("InvalidGrantException")
                      && refused.contains("run `aws sso login --profile dev`"), refused)
        XCTAssertFalse(refused.contains("sso-refresh-stale") || refused.contains("sso-client-secret"), refused)
        // Expired without a refresh token, or with an expired client registration: log in again, no call.
        cacheToken(expiresAt: Date(timeIntervalSinceNow: -60), refreshToken: nil)
        let bare = failure(environment)
        XCTAssertTrue(bare.contains("expired") && bare.contains("run `aws sso login --profile dev`"), bare)
        cacheToken(expiresAt: Date(timeIntervalSinceNow: -60), refreshToken: "sso-refresh-1", registrationExpiresAt: "2020-01-01T00:00:00Z")
        XCTAssertTrue(failure(environment).contains("run `aws sso login --profile dev`"))
        XCTAssertEqual(try tokenRequests(), "3")
    }

    /// The SDKs' order: `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the profile's
    /// `services` section, the profile's `endpoint_url`; all off when told to ignore them.
    func testEndpointsResolveInTheSDKsOrder() throws {
        let config = AWSSharedConfig.parse(config: """
            [default]
            endpoint_url = http://profile.test
            services = local
            [services local]
            sts =
              endpoint_url = http://sts.local.test
            # S3's block
            s3 =
              endpoint_url = http://s3.local.test
              addressing_style = path
            [profile plain]
            endpoint_url = http://plain.test
            [profile ignoring]
            endpoint_url = http://plain.test
            ignore_configured_endpoint_urls = true
            [profile broken]
            endpoint_url = localhost:9000
            """, credentials: "")
        XCTAssertEqual(config.services["local"]?["s3"], ["endpoint_url": "http://s3.local.test", "addressing_style": "path"])
        XCTAssertEqual(config.profiles["default"]?["services"], "local")
        func url(_ service: String, _ environment: [String: String]) throws -> String? {
            try AWSEndpoints(environment: environment, config: config).url(for: service)?.absoluteString
        }
        XCTAssertEqual(try url("sts", [:]), "http://sts.local.test")
        XCTAssertEqual(try url("sso_oidc", [:]), "http://profile.test")
        XCTAssertEqual(try url("sts", ["AWS_ENDPOINT_URL": "http://all.test"]), "http://all.test")
        XCTAssertEqual(try url("sts", ["AWS_ENDPOINT_URL": "http://all.test", "AWS_ENDPOINT_URL_STS": "http://sts.test"]),
                       "http://sts.test")
        XCTAssertEqual(try url("sso_oidc", ["AWS_ENDPOINT_URL_SSO_OIDC": "http://oidc.test"]), "http://oidc.test")
        XCTAssertEqual(try url("s3", ["AWS_PROFILE": "plain"]), "http://plain.test")
        XCTAssertNil(try url("s3", ["AWS_PROFILE": "ignoring"]))
        XCTAssertNil(try url("sts", ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true", "AWS_ENDPOINT_URL_STS": "http://sts.test"]))
        XCTAssertThrowsError(try url("s3", ["AWS_PROFILE": "broken"])) {
            XCTAssertEqual("\($0)", "endpoint_url of profile 'broken' is 'localhost:9000', not an http:// or https:// URL")
        }
        // A remote without an endpoint of its own names the wrong setting.
        let dir = try home(config: "[default]\nendpoint_url = localhost:9000\n",
                           credentials: "[default]\naws_access_key_id = AK\naws_secret_access_key = s\n")
        XCTAssertThrowsError(try RemoteSpec(name: "s", url: "s3://b/p").open(environment: ["HOME": dir.path])) {
            XCTAssertTrue("\($0)".contains("endpoint_url of profile 'default' must be an http:// or https:// URL"), "\($0)")
        }
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

    /// A profile's `endpoint_url`, or the per-service `endpoint_url` of the `[services S]`
    /// section it names, reaches STS (AssumeRole) and S3 as `AWS_ENDPOINT_URL_STS` does; the
    /// service's own setting wins over the profile's, the environment over both.
    func testProfileEndpointURLsReachSTSAndS3() throws {
        let (server, role) = try moto()
        let moto = server.endpoint.absoluteString, dead = "http://127.0.0.1:1"
        let dir = try home(config: """
            [profile pusher]
            role_arn = \(role)
            source_profile = base
            endpoint_url = \(moto)
            [profile local]
            role_arn = \(role)
            source_profile = base
            endpoint_url = \(dead)
            services = local-stack
            [services local-stack]
            sts =
              endpoint_url = \(moto)
            s3 =
              endpoint_url = \(moto)
            """, credentials: """
            [base]
            aws_access_key_id = \(server.credentials.accessKeyID)
            aws_secret_access_key = \(server.credentials.secretAccessKey)
            """)
        for profile in ["pusher", "local"] {
            let environment = ["HOME": dir.path, "AWS_PROFILE": profile, "AWS_EC2_METADATA_DISABLED": "true"]
            XCTAssertTrue(try fetch(environment).accessKeyID.hasPrefix("ASIA"), profile)
            // No endpoint in the remote's configuration: the profile's.
            let remote = try XCTUnwrap(try RemoteSpec(name: "team-s3", url: "s3://gitml-endpoint-\(profile)/repo/ml")
                .open(environment: environment) as? S3Remote)
            XCTAssertEqual(remote.endpoint, server.endpoint)
            try remote.createBucket()
            try RemoteScenario().checkRoundTrip(remote)
        }
        let environment = ["HOME": dir.path, "AWS_PROFILE": "pusher", "AWS_ENDPOINT_URL_STS": dead, "AWS_EC2_METADATA_DISABLED": "true"]
        let unreachable = failure(environment)
        XCTAssertTrue(unreachable.contains("cannot reach STS at \(dead)"), unreachable)
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
