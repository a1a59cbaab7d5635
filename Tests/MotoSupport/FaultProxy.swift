import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP proxy on loopback in front of a server (moto), for tests in which the network fails in
/// the middle of a transfer: every connection to `endpoint` is relayed to the server, and
/// `inject` makes the proxy delay, reset, answer 503, freeze or stop instead. One thread
/// accepts; two relay each connection (one per direction).
public final class FaultProxy: @unchecked Sendable {  // `state` is only touched under `lock`
    /// What the proxy does to connections from now on.
    public enum Fault: Sendable, Equatable {
        /// Relays everything.
        case none
        /// Waits this long before relaying each chunk, both ways.
        case delay(TimeInterval)
        /// The next `connections` connections are reset (RST to the client) once the client sent
        /// `afterBytes` bytes on them.
        case reset(connections: Int, afterBytes: Int)
        /// The next `connections` connections get `503 SlowDown` for their first request (then
        /// the proxy closes them), without reaching the server.
        case serverError(connections: Int)
        /// Connections are accepted and nothing is relayed (a frozen server), until the fault
        /// changes.
        case freeze
        /// The next `requests` requests reach the server with a digit of their `x-amz-date`
        /// header changed (a request damaged in transit: its signature no longer matches).
        case damageRequest(requests: Int)
    }

    public let endpoint: URL
    private let port: UInt16
    private let target: UInt16
    private let lock = NSLock()
    private var state = State()

    private struct State {
        var fault = Fault.none
        var listener: Int32 = -1
        var sockets: Set<Int32> = []
        var connections = 0
        var damaged = 0
    }

    /// Starts relaying `127.0.0.1:<a free port>` to `server` (a loopback endpoint).
    public init(to server: URL) throws {
        guard let target = server.port.flatMap(UInt16.init(exactly:)) else { throw ProxyError(reason: "\(server) has no port") }
        self.target = target
        let (listener, port) = try Self.listen(port: 0)
        self.port = port
        endpoint = URL(string: "http://127.0.0.1:\(port)")!
        state.listener = listener
        startAccepting(listener)
    }

    deinit { stop() }

    /// Connections accepted so far.
    public var connections: Int { lock.withLock { state.connections } }

    /// Requests damaged so far (`.damageRequest`).
    public var damagedRequests: Int { lock.withLock { state.damaged } }

    /// What the proxy does now (a counted fault returns to `.none` once used up).
    public var fault: Fault { lock.withLock { state.fault } }

    /// Changes what the proxy does (a thawed `freeze` releases the held bytes).
    public func inject(_ fault: Fault) { lock.withLock { state.fault = fault } }

    /// Stops listening and cuts every open connection (a server that went away).
    public func stop() {
        let (listener, sockets) = lock.withLock { () -> (Int32, [Int32]) in
            defer { state.listener = -1 }
            return (state.listener, Array(state.sockets))
        }
        // Connections are shut down here and closed by their relay threads as they end.
        for socket in sockets { shutdown(socket, Int32(SHUT_RDWR)) }
        if listener >= 0 { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }
    }

    /// Listens again on the same port (the server is back).
    public func restart() throws {
        let (listener, _) = try Self.listen(port: port)
        lock.withLock { state.listener = listener }
        startAccepting(listener)
    }

    struct ProxyError: Error { let reason: String }

    private static func listen(port: UInt16) throws -> (Int32, UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && Glibc.listen(fd, 64) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard fd >= 0, ok else { close(fd); throw ProxyError(reason: "cannot listen on 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    private func startAccepting(_ listener: Int32) {
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }  // stopped
                let fault = lock.withLock { () -> Fault in
                    state.connections += 1
                    state.sockets.insert(client)
                    let fault = state.fault
                    switch fault {
                    case .reset(let n, let bytes): state.fault = n > 1 ? .reset(connections: n - 1, afterBytes: bytes) : .none
                    case .serverError(let n): state.fault = n > 1 ? .serverError(connections: n - 1) : .none
                    default: break
                    }
                    return fault
                }
                Thread.detachNewThread { [self] in serve(client, fault) }
            }
        }
    }

    /// Relays one connection, or answers it 503.
    private func serve(_ client: Int32, _ fault: Fault) {
        if case .serverError = fault {
            answerSlowDown(client)
            return forget([client])
        }
        let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = target.bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { close(server); return forget([client]) }
        lock.withLock { _ = state.sockets.insert(server) }
        let resetAfter: Int? = if case .reset(_, let bytes) = fault { bytes } else { nil }
        let done = DispatchGroup()
        done.enter()
        Thread.detachNewThread { [self] in
            relay(from: client, to: server, resetAfter: resetAfter, parsesRequests: true)
            done.leave()
        }
        relay(from: server, to: client, resetAfter: nil)
        done.wait()
        forget([client, server])
    }

    /// Copies bytes until either side closes; with `resetAfter`, resets the client once that
    /// many bytes came from it. `parsesRequests`: the bytes are HTTP requests, which
    /// `.damageRequest` may change.
    private func relay(from source: Int32, to sink: Int32, resetAfter: Int?, parsesRequests: Bool = false) {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var relayed = 0
        var head: [UInt8] = []
        var body = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            for i in 0..<count where parsesRequests {
                if body > 0 {
                    body -= 1
                    continue
                }
                head.append(buffer[i])
                guard head.suffix(4) == [13, 10, 13, 10] else { continue }
                body = Self.contentLength(head) ?? 0
                // The seconds digit of x-amz-date (…T123456Z), when this chunk holds it.
                let text = String(decoding: head, as: UTF8.self).lowercased()
                if let range = text.range(of: "\r\nx-amz-date: "), let z = text[range.upperBound...].firstIndex(of: "z") {
                    let digit = i + 1 - head.count + text.utf8.distance(from: text.startIndex, to: z) - 1
                    if digit >= 0, takeDamage() { buffer[digit] = buffer[digit] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0") }
                }
                head = []
            }
            while case .freeze = lock.withLock({ state.fault }) { usleep(10_000) }
            if case .delay(let seconds) = lock.withLock({ state.fault }) { Thread.sleep(forTimeInterval: seconds) }
            if let limit = resetAfter, relayed + count >= limit {
                var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                setsockopt(source, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                shutdown(sink, Int32(SHUT_RDWR))
                break
            }
            var sent = 0
            while sent < count {
                let n = buffer.withUnsafeBytes { send(sink, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else {
                    shutdown(source, Int32(SHUT_RDWR))
                    return
                }
                sent += n
            }
            relayed += count
        }
        shutdown(sink, Int32(SHUT_WR))
    }

    /// Reads one request head and answers `503 SlowDown`, closing the connection.
    private func answerSlowDown(_ client: Int32) {
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while recv(client, &byte, 1, 0) == 1 {
            head.append(byte)
            if head.suffix(4) == [13, 10, 13, 10] { break }
        }
        // Read the body too (unless the client waits for `100 Continue`): closing a socket with
        // unread bytes would reset it instead of delivering the answer.
        if !String(decoding: head, as: UTF8.self).lowercased().contains("\r\nexpect:") {
            var rest = Self.contentLength(head) ?? 0
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            while rest > 0 {
                let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, min($0.count, rest), 0) }
                guard n > 0 else { break }
                rest -= n
            }
        }
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code><Message>injected by FaultProxy</Message></Error>"
        let response = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
        _ = Array(response.utf8).withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Whether to damage the request that ends now (`.damageRequest`, counted).
    private func takeDamage() -> Bool {
        lock.withLock {
            guard case .damageRequest(let n) = state.fault else { return false }
            state.fault = n > 1 ? .damageRequest(requests: n - 1) : .none
            state.damaged += 1
            return true
        }
    }

    /// The `Content-Length` of a request head.
    private static func contentLength(_ head: [UInt8]) -> Int? {
        String(decoding: head, as: UTF8.self).lowercased().split(separator: "\r\n")
            .first { $0.hasPrefix("content-length:") }.flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) }
    }

    private func forget(_ sockets: [Int32]) {
        let open = lock.withLock { sockets.filter { state.sockets.remove($0) != nil } }
        for socket in open { close(socket) }
    }
}
