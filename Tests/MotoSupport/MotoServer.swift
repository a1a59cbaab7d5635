import BlobStore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Platform

/// A real S3 server on loopback: moto's standalone server, with authentication on (after the
/// first three unauthenticated IAM calls that create the user, its key and its policy), so
/// every S3 request's Signature V4 is checked.
public final class MotoServer {
    public let endpoint: URL
    public let credentials: AWSCredentials
    private let process: Process
    /// The server's process id (to freeze it with SIGSTOP).
    public var processID: Int32 { process.processIdentifier }

    /// The moto_server binary: `MOTO_SERVER`, /tmp/moto-venv/bin/moto_server, or on PATH.
    public static func binary() -> String? {
        let environment = ProcessInfo.processInfo.environment
        let candidates = [environment["MOTO_SERVER"], "/tmp/moto-venv/bin/moto_server"]
            + (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/moto_server" }
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `allow`: the IAM actions the user's policy grants. `checksSignatures: false` turns moto's
    /// authentication off (it refuses unsigned STS AssumeRoleWithWebIdentity calls while it is on).
    public init(binary: String, allow: [String] = ["s3:*"], checksSignatures: Bool = true) throws {
        let port = try Self.freePort()
        endpoint = URL(string: "http://127.0.0.1:\(port)")!
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-H", "127.0.0.1", "-p", "\(port)"]
        var environment = ProcessInfo.processInfo.environment
        environment["INITIAL_NO_AUTH_ACTION_COUNT"] = checksSignatures ? "3" : nil
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try Self.waitUntilServing(endpoint)
        credentials = try Self.createUser(endpoint, allow: allow)
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }

    /// A loopback TCP port nobody listens on now (the kernel's pick for port 0).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard fd >= 0, bound else { throw RemoteError.connection(remote: "moto", detail: "no free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func waitUntilServing(_ endpoint: URL) throws {
        for _ in 0..<100 {
            var probe = URLRequest(url: endpoint.appendingPathComponent("moto-api/data.json"))
            probe.timeoutInterval = 2
            if (try? send(probe)) != nil { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw RemoteError.connection(remote: "moto", detail: "moto_server did not start on \(endpoint)")
    }

    /// IAM: CreateUser, CreateAccessKey, PutUserPolicy (`allow`), the three unauthenticated calls.
    private static func createUser(_ endpoint: URL, allow: [String]) throws -> AWSCredentials {
        let bootstrap = AWSSigner(credentials: AWSCredentials(accessKeyID: "AKIDBOOTSTRAP", secretAccessKey: "x"),
                                  region: "us-east-1", service: "iam")
        func call(_ parameters: [(String, String)]) throws -> String {
            let body = Data((parameters + [("Version", "2010-05-08")])
                .map { "\(AWSSigner.encode($0.0, slash: true))=\(AWSSigner.encode($0.1, slash: true))" }
                .joined(separator: "&").utf8)
            var request = URLRequest(url: endpoint)
            request.httpMethod = "POST"
            let headers = ["host": "\(endpoint.host!):\(endpoint.port!)", "content-type": "application/x-www-form-urlencoded"]
            for (name, value) in bootstrap.sign(method: "POST", path: "/", query: [], headers: headers,
                                                payloadHash: AWSSigner.payloadHash(body), date: Date()) {
                request.setValue(value, forHTTPHeaderField: name)
            }
            request.httpBody = body
            let (status, data) = try send(request)
            let text = String(decoding: data, as: UTF8.self)
            guard status == 200 else {
                throw RemoteError.http(remote: "moto", key: "iam", status: status, code: "", message: text)
            }
            return text
        }
        _ = try call([("Action", "CreateUser"), ("UserName", "gitml")])
        let key = try call([("Action", "CreateAccessKey"), ("UserName", "gitml")])
        let actions = allow.map { "\"\($0)\"" }.joined(separator: ",")
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[\#(actions)],"Resource":"*"}]}"#
        _ = try call([("Action", "PutUserPolicy"), ("UserName", "gitml"), ("PolicyName", "s3"), ("PolicyDocument", policy)])
        return AWSCredentials(accessKeyID: element("AccessKeyId", in: key)!, secretAccessKey: element("SecretAccessKey", in: key)!)
    }

    /// The text of the first `<name>…</name>` in `xml`.
    private static func element(_ name: String, in xml: String) -> String? {
        guard let open = xml.range(of: "<\(name)>"), let close = xml.range(of: "</\(name)>", range: open.upperBound..<xml.endIndex) else { return nil }
        return String(xml[open.upperBound..<close.lowerBound])
    }

    /// Sends `request` and waits for the status and body.
    private static func send(_ request: URLRequest) throws -> (Int, Data) {
        final class Box: @unchecked Sendable {  // written once by the task, read after `done`
            var result: Result<(Int, Data), any Error> = .failure(URLError(.unknown))
        }
        let done = DispatchSemaphore(value: 0), box = Box()
        URLSession.shared.dataTask(with: request) { data, response, error in
            box.result = error.map { .failure($0) } ?? .success(((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()))
            done.signal()
        }.resume()
        done.wait()
        return try box.result.get()
    }
}
