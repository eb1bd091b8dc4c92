import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback HTTP/1.1 server on plain POSIX sockets, for answers no well-behaved server gives:
/// bodies that never end, bodies that trickle, redirects to another origin, echoed credentials.
/// One thread accepts, one thread per connection runs `handler`, which writes raw bytes.
public final class RawHTTPServer: @unchecked Sendable {
    /// A request as received: method, path with query, headers (lower-cased names), body.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var headers: [String: String]
        public var body: Data
    }

    /// One accepted connection; writes fail (return false) once the peer has gone.
    public final class Connection: @unchecked Sendable {
        let fd: Int32
        private let counter: ByteCounter
        init(fd: Int32, counter: ByteCounter) { self.fd = fd; self.counter = counter }

        /// Writes all of `data`; false when the peer closed the connection.
        @discardableResult
        public func write(_ data: Data) -> Bool {
            var offset = 0
            while offset < data.count {
                let sent = data.withUnsafeBytes { raw in
                    send(fd, raw.baseAddress! + offset, data.count - offset, Int32(MSG_NOSIGNAL))
                }
                if sent <= 0 { return false }
                offset += sent
                counter.add(sent)
            }
            return true
        }

        /// Writes UTF-8 text.
        @discardableResult
        public func write(_ text: String) -> Bool { write(Data(text.utf8)) }

        /// Writes a whole response with `Content-Length` and `Connection: close`.
        public func respond(_ status: Int, headers: [String: String] = [:], body: Data = Data()) {
            var head = "HTTP/1.1 \(status) Status\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
            for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
            write(head + "\r\n")
            write(body)
        }
    }

    /// Counts bytes written across connections (thread-safe).
    public final class ByteCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var total = 0
        func add(_ n: Int) { lock.lock(); total += n; lock.unlock() }
        /// Bytes written so far.
        public var value: Int { lock.lock(); defer { lock.unlock() }; return total }
    }

    public let port: UInt16
    /// `http://127.0.0.1:PORT`.
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }
    /// Bytes written to all clients so far.
    public let written = ByteCounter()
    private let listener: Int32
    private let lock = NSLock()
    private var _requests: [Request] = []
    private var stopped = false
    private var open: Set<Int32> = []

    /// Requests received so far, in order.
    public var requests: [Request] { lock.lock(); defer { lock.unlock() }; return _requests }

    /// Binds 127.0.0.1 on an ephemeral port and starts accepting.
    public init(handler: @escaping @Sendable (Request, Connection) -> Void) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw URLError(.cannotConnectToHost) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw URLError(.cannotConnectToHost) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop(handler) }
        thread.start()
    }

    private func acceptLoop(_ handler: @escaping @Sendable (Request, Connection) -> Void) {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }  // closed by stop()
            lock.lock()
            if stopped { lock.unlock(); close(client); return }
            open.insert(client)
            lock.unlock()
            let counter = written
            Thread { [self] in
                if let request = Self.readRequest(client) {
                    lock.lock(); _requests.append(request); lock.unlock()
                    handler(request, Connection(fd: client, counter: counter))
                }
                lock.lock()
                let mine = open.remove(client) != nil
                lock.unlock()
                if mine { shutdown(client, Int32(SHUT_RDWR)); close(client) }
            }.start()
        }
    }

    /// Reads the head and a `Content-Length` body.
    static func readRequest(_ fd: Int32) -> Request? {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let separator = Data("\r\n\r\n".utf8)
        while data.range(of: separator) == nil {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 || data.count > 1_048_576 { return nil }
            data.append(buffer, count: n)
        }
        let split = data.range(of: separator)!
        let head = String(decoding: data[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        var body = Data(data[split.upperBound...])
        let requestLine = head.first?.split(separator: " ").map(String.init) ?? []
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while body.count < length {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            body.append(buffer, count: n)
        }
        return Request(method: requestLine.first ?? "", path: requestLine.dropFirst().first ?? "", headers: headers, body: body)
    }

    /// Stops accepting and closes every open connection.
    public func stop() {
        lock.lock()
        stopped = true
        let fds = open
        open = []
        lock.unlock()
        for fd in fds { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { if !stopped { stop() } }
}
