import Foundation
import PodformTestSupport
import XCTest

@testable import RunPodAPI

/// Redirects never carry the key or a body to another scheme, host or port.
final class RedirectTests: XCTestCase {
    static let key = "rpa_SENTINEL_REDIRECT_0a1b2c3d"

    /// Server B (reached as `localhost`, another origin than `127.0.0.1`) records what it saw.
    func withTwoOrigins(status: Int, _ body: (RawHTTPServer, RawHTTPServer) async throws -> Void) async throws {
        let b = try RawHTTPServer { _, c in c.respond(200, headers: ["Content-Type": "application/json"], body: Data(#"{"pods":[]}"#.utf8)) }
        let target = "http://localhost:\(b.port)"
        let a = try RawHTTPServer { request, c in c.respond(status, headers: ["Location": target + request.path]) }
        defer { a.stop(); b.stop() }
        try await body(a, b)
    }

    func testCrossOriginRedirectsAreRefusedAndReachNobody() async throws {
        for status in [301, 302, 303, 307, 308] {
            try await withTwoOrigins(status: status) { a, b in
                let client = RunPodClient(baseURL: a.baseURL, apiKey: Self.key, retry: .none, timeout: 5, sleep: { _ in })
                for call in ["GET", "POST"] {
                    do {
                        if call == "GET" {
                            _ = try await client.listPods()
                        } else {
                            _ = try await client.send("POST", "/v2/pods", body: Data(#"{"name":"p","env":{"K":"v"}}"#.utf8), idempotent: false)
                        }
                        XCTFail("\(status) \(call) followed")
                    } catch let error as RunPodError {
                        XCTAssertEqual(error, .redirectRefused(from: "http://127.0.0.1:\(a.port)", to: "http://localhost:\(b.port)", status: status))
                        XCTAssertTrue(error.description.contains("--api-url"), error.description)
                        XCTAssertFalse(error.description.contains(Self.key))
                    }
                }
                XCTAssertEqual(b.requests.count, 0, "server B was contacted after a \(status)")
                XCTAssertEqual(a.requests.map(\.method), ["GET", "POST"])
                XCTAssertEqual(a.requests.first?.headers["authorization"], "Bearer \(Self.key)")
            }
        }
    }

    func testSchemeAndPortChangesAreOtherOrigins() async throws {
        let a = try RawHTTPServer { request, c in
            let location = request.path == "/v2/pods" ? "https://127.0.0.1:1/v2/pods" : "http://127.0.0.1:2/v2/pods"
            c.respond(307, headers: ["Location": location])
        }
        defer { a.stop() }
        let client = RunPodClient(baseURL: a.baseURL, apiKey: Self.key, retry: .none, timeout: 5, sleep: { _ in })
        do { _ = try await client.listPods(); XCTFail() } catch let error as RunPodError {
            XCTAssertEqual(error, .redirectRefused(from: "http://127.0.0.1:\(a.port)", to: "https://127.0.0.1:1", status: 307))
        }
        do { _ = try await client.listEndpoints(); XCTFail() } catch let error as RunPodError {
            XCTAssertEqual(error, .redirectRefused(from: "http://127.0.0.1:\(a.port)", to: "http://127.0.0.1:2", status: 307))
        }
    }

    func testSameOriginRedirectsAreFollowed() async throws {
        let a = try RawHTTPServer { request, c in
            if request.path == "/v2/pods" { c.respond(308, headers: ["Location": "/v2/pods-moved"]); return }
            c.respond(200, headers: ["Content-Type": "application/json"], body: Data(#"{"pods":[]}"#.utf8))
        }
        defer { a.stop() }
        let client = RunPodClient(baseURL: a.baseURL, apiKey: Self.key, retry: .none, timeout: 5, sleep: { _ in })
        let pods = try await client.listPods()
        XCTAssertEqual(pods.count, 0)
        XCTAssertEqual(a.requests.map(\.path), ["/v2/pods", "/v2/pods-moved"])
    }

    /// The Hub's policy: another origin is followed, but only without the token (its CDN).
    func testStrippingPolicyNeverSendsTheTokenToAnotherOrigin() async throws {
        let b = try RawHTTPServer { _, c in c.respond(200, body: Data(#"{"ok":true}"#.utf8)) }
        let a = try RawHTTPServer { request, c in
            if request.path == "/same" { c.respond(302, headers: ["Location": "/cross"]); return }
            c.respond(request.path == "/keep-method" ? 307 : 302, headers: ["Location": "http://localhost:\(b.port)/file"])
        }
        defer { a.stop(); b.stop() }
        let transport = URLSessionTransport(redirects: .stripCredentialsAcrossOrigins)
        let token = "hf_SENTINEL_REDIRECT_123456789"
        let response = try await transport.send(
            HTTPRequestData(
                method: "GET", url: a.baseURL.appendingPathComponent("same"),
                headers: ["Authorization": "Bearer \(token)", "Cookie": "s=1"], timeout: 5))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), #"{"ok":true}"#)
        XCTAssertEqual(a.requests.map(\.path), ["/same", "/cross"])
        XCTAssertEqual(a.requests.map { $0.headers["authorization"] }, ["Bearer \(token)", "Bearer \(token)"])  // same origin keeps it
        XCTAssertEqual(b.requests.map(\.path), ["/file"])
        XCTAssertNil(b.requests.first?.headers["authorization"])
        XCTAssertNil(b.requests.first?.headers["cookie"])
        // A 302 turns a POST into a bare GET (URLSession's rule): no token, no body reaches B.
        _ = try await transport.send(
            HTTPRequestData(
                method: "POST", url: a.baseURL.appendingPathComponent("cross"),
                headers: ["Authorization": "Bearer \(token)"], body: Data("{\"s\":1}".utf8), timeout: 5))
        XCTAssertEqual(b.requests.map(\.method), ["GET", "GET"])
        XCTAssertNil(b.requests.last?.headers["authorization"])
        XCTAssertEqual(b.requests.last?.body, Data())
        // A 307 would re-send the POST with its body: refused.
        do {
            _ = try await transport.send(
                HTTPRequestData(
                    method: "POST", url: a.baseURL.appendingPathComponent("keep-method"),
                    headers: ["Authorization": "Bearer \(token)"], body: Data("{}".utf8), timeout: 5))
            XCTFail("POST followed across origins")
        } catch let error as TransferError {
            XCTAssertEqual(error, .crossOriginRedirect(from: "http://127.0.0.1:\(a.port)", to: "http://localhost:\(b.port)", status: 307))
        }
        XCTAssertEqual(b.requests.count, 2)
    }

    func testLogStreamsRefuseCrossOriginRedirects() async throws {
        try await withTwoOrigins(status: 307) { a, b in
            let client = RunPodClient(baseURL: a.baseURL, apiKey: Self.key, retry: .none, timeout: 5, sleep: { _ in })
            do {
                try await client.streamLogs(path: "/v2/pods/p/logs", tail: 5, follow: false, idle: 1) { _ in }
                XCTFail("followed")
            } catch let error as RunPodError {
                XCTAssertEqual(error, .redirectRefused(from: "http://127.0.0.1:\(a.port)", to: "http://localhost:\(b.port)", status: 307))
            }
            XCTAssertEqual(b.requests.count, 0)
        }
    }
}
