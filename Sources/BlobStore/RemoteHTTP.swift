import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP exchange's result.
struct HTTPResponse: Sendable {
    let status: Int
    let headers: [String: String]  // lowercased names
    let body: Data

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// A blocking HTTP client over URLSession, for transfer threads (RemoteTransferPool).
final class HTTPClient: @unchecked Sendable {  // `current` is only touched under `lock`
    private let configuration: URLSessionConfiguration
    private let lock = NSLock()
    private var current: URLSession

    /// `timeout`: how long a request may wait for the server's next bytes (a request's own
    /// `timeoutInterval` may shorten it).
    init(timeout: TimeInterval = 120, connectionsPerHost: Int = 16) {
        configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.httpMaximumConnectionsPerHost = connectionsPerHost
        configuration.urlCache = nil
        current = URLSession(configuration: configuration)
    }

    deinit { current.finishTasksAndInvalidate() }

    private var session: URLSession { lock.withLock { current } }

    /// Sends later requests over new connections: after an attempt failed in transit, a kept-alive
    /// connection may still carry the bytes of the abandoned request (a server that froze and
    /// came back), and a request sent behind them reaches the server damaged. Requests in flight
    /// finish on the old connections.
    func discardConnections() {
        let old = lock.withLock {
            defer { current = URLSession(configuration: configuration) }
            return current
        }
        old.finishTasksAndInvalidate()
    }

    /// Sends `request` with `body` and waits; throws the transport error (no HTTP status).
    func send(_ request: URLRequest, body: Data?) throws -> HTTPResponse {
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let handler: @Sendable (Data?, URLResponse?, Error?) -> Void = { data, response, error in
            box.set(data: data, response: response, error: error)
            done.signal()
        }
        let session = self.session
        let task = body.map { session.uploadTask(with: request, from: $0, completionHandler: handler) }
            ?? session.dataTask(with: request, completionHandler: handler)
        task.resume()
        done.wait()
        return try box.result()
    }

    private final class ResultBox: @unchecked Sendable {  // written once before the semaphore signals
        private var data: Data?
        private var response: URLResponse?
        private var error: Error?

        func set(data: Data?, response: URLResponse?, error: Error?) {
            self.data = data
            self.response = response
            self.error = error
        }

        func result() throws -> HTTPResponse {
            if let error { throw error }
            guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
            var headers: [String: String] = [:]
            for (key, value) in http.allHeaderFields {
                if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
            }
            return HTTPResponse(status: http.statusCode, headers: headers, body: data ?? Data())
        }
    }
}
