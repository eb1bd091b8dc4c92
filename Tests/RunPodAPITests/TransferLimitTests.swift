import Foundation
import PodformTestSupport
import XCTest

@testable import RunPodAPI

/// Bodies that never end, trickle or go silent stop within bounded time and memory.
final class TransferLimitTests: XCTestCase {
    static let cap = 1_048_576

    /// Headers, then `chunk` every `interval` seconds until the client hangs up (or 120 s pass).
    static func endless(chunk: Data, interval: Double, contentLength: Int? = nil) throws -> RawHTTPServer {
        try RawHTTPServer { _, c in
            var head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            if let contentLength { head += "Content-Length: \(contentLength)\r\n" }
            guard c.write(head + "\r\n") else { return }
            let end = Date().addingTimeInterval(120)
            while Date() < end, c.write(chunk) {
                if interval > 0 { Thread.sleep(forTimeInterval: interval) }
            }
        }
    }

    func send(_ server: RawHTTPServer, limits: TransferLimits) async throws -> (Result<HTTPResponseData, any Error>, TimeInterval) {
        let transport = URLSessionTransport(limits: limits)
        let started = Date()
        let request = HTTPRequestData(method: "GET", url: server.baseURL.appendingPathComponent("v2/pods"), timeout: 30)
        do { return (.success(try await transport.send(request)), Date().timeIntervalSince(started)) } catch {
            return (.failure(error), Date().timeIntervalSince(started))
        }
    }

    /// At a network's pace (16 KB per millisecond at most), reading stops before 2x the cap was sent.
    func testEndlessBodyStopsAtTheCapWhileReading() async throws {
        let server = try Self.endless(chunk: Data(repeating: UInt8(ascii: " "), count: 16_384), interval: 0.001)
        defer { server.stop() }
        let (result, elapsed) = try await send(server, limits: TransferLimits(maxBodyBytes: Self.cap, idleTimeout: 5, totalTimeout: 20))
        guard case .failure(let error as TransferError) = result else { return XCTFail("\(result)") }
        XCTAssertEqual(error, .bodyTooLarge(limit: Self.cap))
        XCTAssertEqual(error.description, "the answer is over 1048576 bytes; stopped reading it there")
        XCTAssertLessThan(elapsed, 10)
        try await Task.sleep(nanoseconds: 300_000_000)
        XCTAssertLessThan(server.written.value, 2 * Self.cap, "\(server.written.value) bytes sent")
    }

    /// At loopback speed (GB/s) the stop still comes within a bounded time and the connection is
    /// closed, where the old transport read until memory ran out. The excess is not asserted:
    /// FoundationNetworking queues chunks to the delegate without back-pressure, so at GB/s it can
    /// read hundreds of MB ahead of the delegate before the cancel lands (kernel buffers add 32 MB).
    func testEndlessBodyAtLoopbackSpeedStopsToo() async throws {
        let server = try Self.endless(chunk: Data(repeating: UInt8(ascii: " "), count: 65_536), interval: 0)
        defer { server.stop() }
        let (result, elapsed) = try await send(server, limits: TransferLimits(maxBodyBytes: Self.cap, idleTimeout: 5, totalTimeout: 20))
        guard case .failure(let error as TransferError) = result else { return XCTFail("\(result)") }
        XCTAssertEqual(error, .bodyTooLarge(limit: Self.cap))
        XCTAssertLessThan(elapsed, 10)
        try await Task.sleep(nanoseconds: 300_000_000)
        let sent = server.written.value
        try await Task.sleep(nanoseconds: 500_000_000)
        XCTAssertEqual(server.written.value, sent, "the server could still write: the connection was not closed")
    }

    func testDeclaredOversizedBodyIsRefusedBeforeReading() async throws {
        let server = try Self.endless(chunk: Data(repeating: UInt8(ascii: " "), count: 16_384), interval: 0, contentLength: 40 * 1_048_576)
        defer { server.stop() }
        let (result, elapsed) = try await send(server, limits: TransferLimits(maxBodyBytes: Self.cap, idleTimeout: 5, totalTimeout: 20))
        guard case .failure(let error as TransferError) = result else { return XCTFail("\(result)") }
        XCTAssertEqual(error, .bodyTooLarge(limit: Self.cap))
        XCTAssertLessThan(elapsed, 10)
    }

    func testTricklingBodyStopsAtTheTotalDeadline() async throws {
        let server = try Self.endless(chunk: Data(" ".utf8), interval: 1)  // 1 byte/s: never idle
        defer { server.stop() }
        let (result, elapsed) = try await send(server, limits: TransferLimits(maxBodyBytes: Self.cap, idleTimeout: 2, totalTimeout: 3))
        guard case .failure(let error as TransferError) = result else { return XCTFail("\(result)") }
        XCTAssertEqual(error, .totalTimeout(seconds: 3))
        XCTAssertEqual(error.description, "the answer took over 3 s in all; stopped reading it")
        XCTAssertGreaterThanOrEqual(elapsed, 3)
        XCTAssertLessThan(elapsed, 6)
        XCTAssertLessThan(server.written.value, 200)
    }

    func testSilentBodyStopsAtTheIdleDeadline() async throws {
        let server = try RawHTTPServer { _, c in
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{")
            Thread.sleep(forTimeInterval: 10)
        }
        defer { server.stop() }
        let (result, elapsed) = try await send(server, limits: TransferLimits(maxBodyBytes: Self.cap, idleTimeout: 1, totalTimeout: 20))
        guard case .failure(let error as TransferError) = result else { return XCTFail("\(result)") }
        XCTAssertEqual(error, .idleTimeout(seconds: 1))
        XCTAssertGreaterThanOrEqual(elapsed, 1)
        XCTAssertLessThan(elapsed, 4)
    }

    func testClientTurnsLimitsIntoClearErrors() async throws {
        let endless = try Self.endless(chunk: Data(repeating: UInt8(ascii: " "), count: 16_384), interval: 0)
        let trickle = try Self.endless(chunk: Data(" ".utf8), interval: 0.5)
        defer { endless.stop(); trickle.stop() }
        let limits = TransferLimits(maxBodyBytes: Self.cap, idleTimeout: 2, totalTimeout: 2)
        var client = RunPodClient(baseURL: endless.baseURL, apiKey: "rpa_x", transport: URLSessionTransport(limits: limits), sleep: { _ in })
        do { _ = try await client.listPods(); XCTFail() } catch let error as RunPodError {
            XCTAssertEqual(error, .invalidResponse("the answer is over 1048576 bytes; stopped reading it there"))
        }
        client.baseURL = trickle.baseURL
        do { _ = try await client.listPods(); XCTFail() } catch let error as RunPodError {
            XCTAssertEqual(error.description, "RunPod's answer could not be read: the answer took over 2 s in all; stopped reading it")
        }
        XCTAssertEqual(trickle.requests.count, 1)  // a total deadline is not retried
    }

    func testNormalAnswersStillArrive() async throws {
        let body = Data(repeating: UInt8(ascii: "a"), count: Self.cap)  // exactly the cap
        let server = try RawHTTPServer { _, c in c.respond(200, body: body) }
        defer { server.stop() }
        let (result, _) = try await send(server, limits: TransferLimits(maxBodyBytes: Self.cap, idleTimeout: 5, totalTimeout: 20))
        XCTAssertEqual(try result.get().body, body)
    }

    // MARK: log streams

    func testLogStreamWithoutNewlinesStopsAtTheLineCap() async throws {
        let server = try RawHTTPServer { _, c in
            guard c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: ") else { return }
            let chunk = Data(repeating: UInt8(ascii: "x"), count: 16_384)
            // At a network's pace (16 MB/s): at loopback speed FoundationNetworking hands over
            // chunks with no back-pressure and the cancel lands late (see the endless-body tests).
            let end = Date().addingTimeInterval(60)
            while Date() < end, c.write(chunk) { Thread.sleep(forTimeInterval: 0.001) }
        }
        defer { server.stop() }
        let client = RunPodClient(baseURL: server.baseURL, apiKey: "rpa_x", retry: .none, timeout: 5, sleep: { _ in })
        let started = Date()
        do {
            try await client.streamLogs(path: "/v2/pods/p/logs", tail: 5, follow: true, maxLineBytes: 65_536) { _ in }
            XCTFail("an endless line was accepted")
        } catch let error as RunPodError {
            XCTAssertEqual(error, .invalidResponse("log stream: the answer is over 65536 bytes; stopped reading it there"))
        }
        // Well before the server would stop on its own (a bound on hanging, not a speed target).
        XCTAssertLessThan(Date().timeIntervalSince(started), 40)
    }

    func testTricklingBackfillStopsAtTheTotalDeadline() async throws {
        let server = try RawHTTPServer { _, c in
            guard c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n") else { return }
            let end = Date().addingTimeInterval(60)
            while Date() < end, c.write("data: tick\n") { Thread.sleep(forTimeInterval: 0.3) }
        }
        defer { server.stop() }
        let client = RunPodClient(baseURL: server.baseURL, apiKey: "rpa_x", retry: .none, timeout: 5, sleep: { _ in })
        let started = Date()
        let lines = LineBox()
        do {
            try await client.streamLogs(
                path: "/v2/pods/p/logs", tail: 5, follow: false, idle: 1,
                limits: TransferLimits(totalTimeout: 2)
            ) { lines.append($0.line) }
            XCTFail("a trickling backfill never ended")
        } catch let error as RunPodError {
            XCTAssertEqual(error.description, "RunPod's answer could not be read: log stream: the answer took over 2 s in all; stopped reading it")
        }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertGreaterThanOrEqual(elapsed, 2)
        XCTAssertLessThan(elapsed, 5)
        XCTAssertGreaterThanOrEqual(lines.all.count, 3)
    }
}
