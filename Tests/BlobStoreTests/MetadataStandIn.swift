import Foundation
import XCTest

/// A local HTTP server on loopback playing the AWS metadata endpoints (python3's http.server):
/// - IMDSv2: `PUT /latest/api/token` (needs the TTL header) gives a session token; GETs under
///   `/latest/` without that token get 401; the role list names `gitml-role`, whose credentials
///   follow;
/// - container credentials at `/ecs/credentials`, 403 unless `Authorization` is `containerToken`;
/// - the SSO portal's GetRoleCredentials for account 123456789012, role `Admin`, 401 unless
///   `x-amz-sso_bearer_token` is `sso-access-token` (expiring 2099-01-01);
/// - SSO-OIDC CreateToken (`POST /token`): only for a JSON body that is exactly the refresh
///   grant of client `sso-client` (secret `sso-client-secret`) with refresh token
///   `sso-refresh-1`, which it answers with `sso-access-token` (valid an hour) and the rotated
///   refresh token `sso-refresh-2`; anything else is HTTP 400 `InvalidGrantException`.
///   `GET /token-requests` counts the CreateToken calls.
/// Each credentials answer has the next key id (`ASIAIMDS1`, `ASIAIMDS2`, …, `ASIAECS1`, …) and
/// expires `expiresIn` seconds later.
final class MetadataStandIn {
    static let containerToken = "container-authorization-token"
    let endpoint: String
    private let process: Process
    private let directory = TemporaryDirectory()

    private static let script = #"""
        import datetime, http.server, json, sys
        expires_in, container_token = int(sys.argv[1]), sys.argv[2]
        served = {}

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, status, body=""):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def credentials(self, prefix):
                served[prefix] = served.get(prefix, 0) + 1
                expiration = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=expires_in)
                return json.dumps({"Code": "Success", "AccessKeyId": prefix + str(served[prefix]),
                                   "SecretAccessKey": "stand-in-secret", "Token": "stand-in-token",
                                   "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ")})

            def do_POST(self):
                if self.path != "/token":
                    return self.reply(404)
                served["token"] = served.get("token", 0) + 1
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    request = json.loads(body)
                except ValueError:
                    request = None
                expected = {"clientId": "sso-client", "clientSecret": "sso-client-secret",
                            "grantType": "refresh_token", "refreshToken": "sso-refresh-1"}
                if request != expected or not self.headers.get("Content-Type", "").startswith("application/json"):
                    self.send_response(400)
                    self.send_header("x-amzn-ErrorType", "InvalidGrantException")
                    data = json.dumps({"error": "invalid_grant", "error_description": "refresh token refused"}).encode()
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    return self.wfile.write(data)
                self.reply(200, json.dumps({"accessToken": "sso-access-token", "expiresIn": 3600,
                                            "refreshToken": "sso-refresh-2", "tokenType": "Bearer"}))

            def do_PUT(self):
                if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                    return self.reply(200, "imds-session-token")
                self.reply(400)

            def do_GET(self):
                if self.path.startswith("/latest/"):
                    if self.headers.get("X-aws-ec2-metadata-token") != "imds-session-token":
                        return self.reply(401)
                    if self.path == "/latest/meta-data/iam/security-credentials/":
                        return self.reply(200, "gitml-role\n")
                    if self.path == "/latest/meta-data/iam/security-credentials/gitml-role":
                        return self.reply(200, self.credentials("ASIAIMDS"))
                elif self.path == "/federation/credentials?account_id=123456789012&role_name=Admin":
                    if self.headers.get("x-amz-sso_bearer_token") != "sso-access-token":
                        return self.reply(401)
                    served["ASIASSO"] = served.get("ASIASSO", 0) + 1
                    return self.reply(200, json.dumps({"roleCredentials": {
                        "accessKeyId": "ASIASSO" + str(served["ASIASSO"]), "secretAccessKey": "sso-secret",
                        "sessionToken": "sso-token", "expiration": 4070908800000}}))
                elif self.path == "/token-requests":
                    return self.reply(200, str(served.get("token", 0)))
                elif self.path == "/ecs/credentials":
                    if self.headers.get("Authorization") != container_token:
                        return self.reply(403)
                    return self.reply(200, self.credentials("ASIAECS"))
                self.reply(404)

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    init(expiresIn: Int = 3600) throws {
        let path = directory.path + "/metadata.py"
        write(Array(Self.script.utf8), to: path)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", path, "\(expiresIn)", Self.containerToken]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw XCTSkip("python3 could not start the metadata stand-in") }
            line.append(chunk)
        }
        endpoint = "http://127.0.0.1:" + String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }
}
