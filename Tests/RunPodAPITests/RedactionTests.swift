import Foundation
import PodformTestSupport
import XCTest

@testable import RunPodAPI

/// Answers that echo the key: it never reaches an error's description, a log line or a message.
final class RedactionTests: XCTestCase {
    static let key = "rpa_SENTINEL_ECHO_5e6f7a8b9c"
    /// A key with no secret shape at all: only exact-value redaction can catch it.
    static let plainKey = "plainkey-7f3a9c2e/x+y="

    /// Every form of the key a server might send back.
    static func leaks(_ text: String, key: String) -> [String] {
        [
            key, Redactor.percentEncoded(key), key.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? key,
            String(key.prefix(12))
        ].filter { text.contains($0) }
    }

    func testRedactorRemovesTheExactSecretInEveryEncoding() {
        let r = Redactor(secrets: [Self.plainKey])
        XCTAssertEqual(r("key is plainkey-7f3a9c2e/x+y= here"), "key is [redacted] here")
        XCTAssertEqual(r("q=plainkey-7f3a9c2e%2Fx%2By%3D&a=1"), "q=[redacted]&a=1")
        XCTAssertEqual(r("q=plainkey-7f3a9c2e%2fx%2by%3d"), "q=[redacted]")  // lower-case hex
        XCTAssertEqual(r(#"{"k":"plainkey-7f3a9c2e\/x+y="}"#), #"{"k":"[redacted]"}"#)  // JSON-escaped slash
        XCTAssertEqual(r("Bearer plainkey-7f3a9c2e/x+y="), "Bearer [redacted]")
        XCTAssertEqual(Redactor(secrets: ["abc", ""]).secrets, [])  // too short to be a secret: no mangling
        XCTAssertEqual("\(r)", "Redactor(1 secrets)")
    }

    func testRedactorRemovesSecretShapes() {
        let r = Redactor.shapes
        let cases: [(String, String)] = [
            ("bad header Authorization: Bearer abc.def-ghi", "bad header Authorization: Bearer [redacted]"),
            (#"{"authorization": "Basic dXNlcjpwYXNz"}"#, #"{"authorization": "Basic [redacted]"}"#),
            ("sent bearer eyJhbGciOi.x.y to us", "sent Bearer [redacted] to us"),
            ("key rpa_ABCDEFGHIJKLMNOPQRSTUV1234 is revoked", "key [redacted] is revoked"),
            ("token hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ012345 denied", "token [redacted] denied"),
            ("openai sk-proj-abcdefghijklmnop0123", "openai [redacted]"),
            ("aws AKIAIOSFODNN7EXAMPLE ok", "aws [redacted] ok"),
            ("slack xoxb-1234567890-abcdef", "slack [redacted]"),
            ("GET /x?api_key=s3cr3tvalue&page=2", "GET /x?api_key=[redacted]&page=2"),
            ("login password=hunter2 failed", "login password=[redacted] failed"),
            ("(key=abc123def456): retry", "(key=[redacted]): retry"),
            ("(key=[redacted]): retry", "(key=[redacted]): retry"),
            ("Authorization: [redacted]", "Authorization: [redacted]"),
            ("access_token=abc123def456", "access_token=[redacted]"),
            (#"{"access_token": "abc123def456", "n": 1}"#, #"{"access_token": "[redacted]", "n": 1}"#),
            ("proxy https://bob:pa55@proxy.example/x", "proxy https://[redacted]@proxy.example/x")
        ]
        for (input, expected) in cases { XCTAssertEqual(r(input), expected, input) }
        // Ordinary messages pass untouched.
        for plain in [
            "gpu.count: must be >= 1", "unknown GPU type NVIDIA H1OO", "hf_transfer is enabled",
            "network volume size can only increase (20 GB -> 10 GB)", "missing key: gpu.id"
        ] {
            XCTAssertEqual(r(plain), plain)
        }
    }

    /// A server answering every status with the key echoed in title, detail, errors[] or a text body.
    func testEchoedKeyNeverReachesAnErrorInAnyStatusOrField() async throws {
        for key in [Self.key, Self.plainKey] {
            let server = try RawHTTPServer { request, connection in
                let auth = request.headers["authorization"] ?? ""
                let bare = auth.replacingOccurrences(of: "Bearer ", with: "")
                let status = Int(request.path.split(separator: "/").last ?? "") ?? 500
                let encoded = Redactor.percentEncoded(bare)
                if request.path.hasPrefix("/text") {
                    connection.respond(
                        status, headers: ["Content-Type": "text/plain", "Retry-After": "1"],
                        body: Data("upstream: Authorization: \(auth); key=\(bare); url ?k=\(encoded) bare \(bare)".utf8))
                    return
                }
                let problem: [String: Any] = [
                    "title": "bad header \(auth)", "status": status, "detail": "key \(bare) (\(encoded)) rejected",
                    "errors": [["field": "h", "message": "got \(auth)"], ["pointer": "/k", "detail": bare]]
                ]
                connection.respond(
                    status, headers: ["Content-Type": "application/problem+json", "Retry-After": "1"],
                    body: try! JSONSerialization.data(withJSONObject: problem))
            }
            defer { server.stop() }
            let client = RunPodClient(baseURL: server.baseURL, apiKey: key, retry: .none, timeout: 5, sleep: { _ in })
            var seen: [Int: String] = [:]
            for status in [400, 401, 403, 404, 409, 418, 422, 429, 500, 502, 503] {
                for path in ["/problem/\(status)", "/text/\(status)"] {
                    do {
                        _ = try await client.send("GET", path)
                        XCTFail("\(path) succeeded")
                    } catch let error as RunPodError {
                        XCTAssertEqual(Self.leaks(error.description, key: key), [], "\(path): \(error)")
                        XCTAssertEqual(Self.leaks("\(error)" + String(reflecting: error), key: key), [], path)
                        if status != 429 { XCTAssertTrue(error.description.contains("[redacted]"), "\(path): \(error)") }
                        seen[status] = error.description
                    }
                }
            }
            // Each status is reported as itself.
            XCTAssertTrue(seen[400]?.hasPrefix("RunPod refused the request (400: ") == true, seen[400] ?? "")
            XCTAssertTrue(seen[422]?.hasPrefix("RunPod refused the request (422: ") == true, seen[422] ?? "")
            XCTAssertTrue(seen[418]?.hasPrefix("unexpected HTTP 418 from RunPod: ") == true, seen[418] ?? "")
            XCTAssertEqual(seen[429], "rate limited by RunPod (429); retry after 1 s")
            XCTAssertEqual(server.requests.count, 22)
        }
    }

    /// The problem detail is redacted before it is cut to 300 characters: a key straddling the cut
    /// is not left half shown.
    func testKeyAtTheExcerptBoundaryIsNotHalfShown() {
        let key = "plainsecret0123456789abcdef"
        let body = Data((String(repeating: "x", count: 290) + " " + key + " tail").utf8)
        let error = RunPodError.from(status: 500, body: body, headers: [:], redactor: Redactor(secrets: [key]))
        XCTAssertFalse(error.description.contains("plainsec"), error.description)
        XCTAssertTrue(error.description.contains("[redac"), error.description)
    }

    func testLogLinesAreRedacted() async throws {
        let key = Self.key
        let server = try RawHTTPServer { request, connection in
            connection.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
            connection.write("data: {\"ts\":\"t1\",\"line\":\"env RUNPOD_API_KEY=\(key)\"}\n")
            connection.write("data: plain \(request.headers["authorization"] ?? "")\n")
        }
        defer { server.stop() }
        let client = RunPodClient(baseURL: server.baseURL, apiKey: key, retry: .none, timeout: 5, sleep: { _ in })
        let lines = LineBox()
        try await client.streamLogs(path: "/v2/pods/p1/logs", tail: 10, follow: false, idle: 0.5) { lines.append($0.line) }
        XCTAssertEqual(lines.all, ["env RUNPOD_API_KEY=[redacted]", "plain Bearer [redacted]"])
    }
}

/// Collects log lines across threads.
final class LineBox: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
