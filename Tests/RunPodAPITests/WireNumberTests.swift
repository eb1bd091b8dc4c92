import Foundation
import XCTest

@testable import RunPodAPI

/// Numbers from the wire never trap, and errors name what really happened.
final class WireNumberTests: XCTestCase {
    func testRetryAfterValuesAreTotal() {
        let now = Date(timeIntervalSince1970: 1_764_576_000)  // Mon, 01 Dec 2025 08:00:00 GMT
        let cases: [(String?, Double?)] = [
            (nil, nil), ("", nil), ("7", 7), (" 2.5 ", 2.5), ("0", 0), ("-1", nil), ("-0.5", nil), ("nan", nil), ("NaN", nil),
            ("inf", 60), ("infinity", 60), ("-inf", nil), ("1e308", 60), ("1e400", 60), ("61", 60), ("soon", nil),
            ("Mon, 01 Dec 2025 08:00:30 GMT", 30), ("Mon, 01 Dec 2025 07:00:00 GMT", 0), ("Tue, 02 Dec 2025 08:00:00 GMT", 60),
            ("Monday, 01-Dec-25 08:00:10 GMT", 10), ("Mon Dec  1 08:00:05 2025", 5)
        ]
        for (header, expected) in cases {
            XCTAssertEqual(RetryAfter.seconds(header, now: now), expected, header ?? "nil")
        }
    }

    func testRateLimitDescriptionNeverTraps() {
        XCTAssertEqual(RunPodError.rateLimited(retryAfter: 7).description, "rate limited by RunPod (429); retry after 7 s")
        XCTAssertEqual(RunPodError.rateLimited(retryAfter: 0.2).description, "rate limited by RunPod (429); retry after 1 s")
        for odd in [Double.nan, -1, -Double.infinity] {
            XCTAssertEqual(RunPodError.rateLimited(retryAfter: odd).description, "rate limited by RunPod (429)")
        }
        for huge in [Double.infinity, 1e308, 1e19] {
            XCTAssertEqual(RunPodError.rateLimited(retryAfter: huge).description, "rate limited by RunPod (429); retry after 60 s")
        }
        XCTAssertEqual(
            RunPodError.waitTimedOut(what: "pod p1 reaching RUNNING", seconds: .infinity).description.prefix(46),
            "pod p1 reaching RUNNING did not happen within ")
        XCTAssertEqual(RetryAfter.nanoseconds(.nan), 0)
        XCTAssertEqual(RetryAfter.nanoseconds(-3), 0)
        XCTAssertEqual(RetryAfter.nanoseconds(.infinity), 0)
        XCTAssertEqual(RetryAfter.nanoseconds(1e308), 86_400_000_000_000)
        XCTAssertEqual(RetryAfter.nanoseconds(1.5), 1_500_000_000)
    }

    /// Each hostile Retry-After through the client: no trap, a bounded sleep, then success.
    func testClientSleepsBoundedForEveryRetryAfter() async throws {
        for (header, expected) in [("-1", nil), ("nan", nil), ("inf", 32.0), ("1e308", 32.0), ("3", 3.0), ("garbage", nil)] as [(String, Double?)] {
            let calls = Counter()
            let transport = ClosureTransport { _ in
                if calls.next() == 1 { return HTTPResponseData(status: 429, headers: ["retry-after": header], body: Data()) }
                return HTTPResponseData(status: 200, body: Data(#"{"pods":[]}"#.utf8))
            }
            let sleeps = SleepLog()
            let client = RunPodClient(
                baseURL: URL(string: "http://127.0.0.1:9")!, apiKey: "rpa_x", transport: transport,
                sleep: { sleeps.add($0) })
            let pods = try await client.listPods()
            XCTAssertEqual(pods.count, 0)
            XCTAssertEqual(sleeps.all.count, 1, header)
            if let expected {
                XCTAssertEqual(sleeps.all.first, expected, header)
            } else {  // absent: the first backoff, 0.5 s jittered to [0.25, 0.5]
                XCTAssertTrue((0.25...0.5).contains(sleeps.all.first ?? -1), "\(header): \(sleeps.all)")
            }
        }
    }

    func testErrorsReportTheRealStatus() {
        let body = Data(
            #"{"title":"Bad Request","status":400,"detail":"unknown data center","errors":[{"field":"dataCenterIds","message":"unknown"}]}"#.utf8)
        let error = RunPodError.from(status: 400, body: body, headers: [:])
        XCTAssertEqual(error, .badRequest("unknown data center", fields: ["dataCenterIds: unknown"]))
        XCTAssertEqual(error.description, "RunPod refused the request (400: unknown data center); fields: dataCenterIds: unknown")
        XCTAssertEqual(
            RunPodError.from(status: 422, body: body, headers: [:]).description,
            "RunPod refused the request (422: unknown data center); fields: dataCenterIds: unknown")
        XCTAssertEqual(
            RunPodError.podStopped(id: "p1", status: "EXITED").description,
            "pod p1 is EXITED instead of RUNNING: its container stopped; see `podform logs` for why, fix the spec and apply again")
        XCTAssertEqual(
            RunPodError.waitTimedOut(what: "pod p1 reaching RUNNING", seconds: 600).description,
            "pod p1 reaching RUNNING did not happen within 600 s; RunPod is reachable, the resource is still starting: "
                + "check `podform status`, or wait longer (--wait-timeout)")
        XCTAssertEqual(RunPodError.from(status: 200, body: Data(), headers: [:]).description, "unexpected HTTP 200 from RunPod")
    }

    func testKeyFilesAreCheckedBeforeReading() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let big = dir.appendingPathComponent("big")
        XCTAssertTrue(FileManager.default.createFile(atPath: big.path, contents: nil))
        let handle = try FileHandle(forWritingTo: big)
        try handle.truncate(atOffset: 5 * 1_073_741_824)  // 5 GB, sparse
        try handle.close()
        let started = Date()
        XCTAssertThrowsError(try RunPodClient.apiKey(environment: [:], keyFile: big.path)) {
            XCTAssertEqual($0 as? RunPodError, .keyFile("\(big.path) is 5368709120 bytes; a key file holds one key (limit 65536 bytes)"))
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 1)
        XCTAssertThrowsError(try RunPodClient.apiKey(environment: [:], keyFile: "/dev/zero")) {
            XCTAssertEqual($0 as? RunPodError, .keyFile("/dev/zero is not a regular file"))
        }
        XCTAssertThrowsError(try RunPodClient.apiKey(environment: [:], keyFile: dir.path)) {
            XCTAssertEqual($0 as? RunPodError, .keyFile("\(dir.path) is not a regular file"))
        }
        XCTAssertThrowsError(try RunPodClient.apiKey(environment: [:], keyFile: dir.appendingPathComponent("none").path)) {
            XCTAssertEqual(($0 as? RunPodError)?.description, "cannot use the API key file: cannot read \(dir.path)/none")
        }
    }
}
