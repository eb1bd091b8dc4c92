import Foundation
import PodformTestSupport
import XCTest

/// The built binary against servers that echo the key, redirect elsewhere or never stop, and
/// against local files too large to read.
final class HostileServerCLITests: XCTestCase {
    static let key = "rpa_SENTINEL_HOSTILE_CLI_31415"
    static let hfToken = "hf_SENTINEL_HOSTILE_TOKEN_2718"

    func podform(_ args: [String], env: [String: String], timeout: TimeInterval = 60) async throws -> CLITests.Run {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do { continuation.resume(returning: try CLITests.run(CLITests.binary, args, env: env, timeout: timeout)) } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("podform-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// plan, apply, status, destroy, catalog refresh, reconcile: an answer echoing the key in every
    /// field (problem title/detail/errors, or text/plain) never puts it on stdout or stderr.
    func testEchoedKeyNeverReachesTheTerminal() async throws {
        let fake = try await FakeRunPodServer(apiKey: Self.key, gpuTypes: FakeCatalog.bundled())
        let tmp = try tempDir()
        let env = [
            "RUNPOD_API_KEY": Self.key, "RUNPOD_API_URL": fake.baseURL.absoluteString,
            "PODFORM_CACHE_DIR": tmp.appendingPathComponent("cache").path, "HF_TOKEN": Self.hfToken
        ]
        let spec = CLITests.root.appendingPathComponent("examples/steady-api.yaml").path
        let specDir = tmp.appendingPathComponent("specs")
        try FileManager.default.createDirectory(at: specDir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: spec, toPath: specDir.appendingPathComponent("steady-api.yaml").path)
        let commands: [[String]] = [
            ["plan", spec], ["apply", "--auto-approve", spec], ["status", spec], ["destroy", "--auto-approve", spec],
            ["catalog", "refresh", "--out", tmp.appendingPathComponent("overlay.json").path],
            ["reconcile", specDir.path, "--once", "--log-format", "json"]
        ]
        for (status, plainText) in [(400, false), (401, false), (403, true), (404, false), (409, true), (422, false)] {
            for command in commands {
                await fake.state.clearFaults()
                await fake.state.inject(Fault(.echoAuthorization(status: status, plainText: plainText), method: "GET", times: 1000))
                let run = try await podform(command, env: env)
                let label = "\(command[0]) with an echoing \(status)\(plainText ? " text" : "")"
                // reconcile --once still exits 0 on api-error (the reconcile issue's exit-code item).
                if command[0] != "reconcile" { XCTAssertNotEqual(run.status, 0, "\(label): \(run.stdout)") }
                let output = run.stdout + run.stderr
                for leak in [Self.key, "rpa_SENTINEL", Self.key.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!, Self.hfToken] {
                    XCTAssertFalse(output.contains(leak), "\(label) printed \(leak):\n\(output)")
                }
                XCTAssertTrue(output.contains("[redacted]"), "\(label):\n\(output)")
            }
        }
        await fake.stop()
    }

    /// RunPod's URL redirecting to another host: the key goes nowhere; the Hub redirecting to
    /// another host: the file is fetched there without HF_TOKEN.
    func testRedirectsToAnotherHostNeverCarryCredentials() async throws {
        let config = try Data(contentsOf: CLITests.root.appendingPathComponent("Tests/PodformCatalogTests/Fixtures/Qwen3-30B-A3B.config.json"))
        let b = try RawHTTPServer { _, c in c.respond(200, headers: ["Content-Type": "application/json"], body: config) }
        let a = try RawHTTPServer { request, c in c.respond(307, headers: ["Location": "http://localhost:\(b.port)\(request.path)"]) }
        defer { a.stop(); b.stop() }
        let tmp = try tempDir()
        let spec = CLITests.root.appendingPathComponent("examples/steady-api.yaml").path
        let env = [
            "RUNPOD_API_KEY": Self.key, "RUNPOD_API_URL": a.baseURL.absoluteString, "PODFORM_CACHE_DIR": tmp.path,
            "HF_ENDPOINT": a.baseURL.absoluteString, "HF_TOKEN": Self.hfToken
        ]
        for command in [["status", spec], ["plan", spec], ["apply", "--auto-approve", spec]] {
            let run = try await podform(command, env: env)
            XCTAssertEqual(run.status, 1, "\(command[0]): \(run.stdout)\(run.stderr)")
            XCTAssertTrue(run.stderr.contains("redirected (HTTP 307) to another origin, http://localhost:\(b.port)"), run.stderr)
            XCTAssertTrue(run.stderr.contains("--api-url"), run.stderr)
        }
        XCTAssertEqual(b.requests.count, 0, "RunPod requests reached the other host")

        let size = try await podform(["size", "--model", "acme/redirected-model", "--json"], env: env)
        XCTAssertEqual(size.status, 0, size.stderr)
        XCTAssertTrue(size.stdout.contains("\"parameters\" : 30532122624"), size.stdout)
        // The config, then the safetensors index (the checkpoint's size), both redirected.
        XCTAssertEqual(
            b.requests.map(\.path),
            [
                "/acme/redirected-model/resolve/main/config.json",
                "/acme/redirected-model/resolve/main/model.safetensors.index.json"
            ])
        XCTAssertTrue(b.requests.allSatisfy { $0.headers["authorization"] == nil }, "HF_TOKEN reached the other host")
        XCTAssertEqual(a.requests.last?.headers["authorization"], "Bearer \(Self.hfToken)")  // the Hub itself got it
    }

    /// A Hub that never stops sending: the fetch stops at the 16 MB cap with a clear error.
    func testEndlessHubAnswerStops() async throws {
        let hub = try RawHTTPServer { _, c in
            guard c.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"a\":\"") else { return }
            let chunk = Data(repeating: UInt8(ascii: "x"), count: 65_536)
            let end = Date().addingTimeInterval(60)
            while Date() < end, c.write(chunk) { usleep(200) }
        }
        defer { hub.stop() }
        let tmp = try tempDir()
        let started = Date()
        let run = try await podform(
            ["size", "--model", "acme/endless"], env: ["HF_ENDPOINT": hub.baseURL.absoluteString, "PODFORM_CACHE_DIR": tmp.path])
        XCTAssertEqual(run.status, 1, run.stdout)
        XCTAssertTrue(run.stderr.contains("the answer is over 16777216 bytes; stopped reading it there"), run.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 30)
    }

    /// Files podform reads that are not specs are size-checked first: a 5 GB sparse file is
    /// refused at once, as are devices.
    func testHugeLocalFilesAreRefusedBeforeReading() async throws {
        let tmp = try tempDir()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let big = tmp.appendingPathComponent("config.json")
        XCTAssertTrue(FileManager.default.createFile(atPath: big.path, contents: nil))
        let handle = try FileHandle(forWritingTo: big)
        try handle.truncate(atOffset: 5 * 1_073_741_824)
        try handle.close()
        let env = ["PODFORM_CACHE_DIR": tmp.appendingPathComponent("cache").path]
        var started = Date()
        let config = try await podform(["size", "--config", big.path], env: env)
        XCTAssertEqual(config.status, 1)
        XCTAssertTrue(config.stderr.contains("`\(big.path)` is 5368709120 bytes, over the limit of 16777216 bytes"), config.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        let device = try await podform(["size", "--config", "/dev/zero"], env: env)
        XCTAssertEqual(device.status, 1)
        XCTAssertTrue(device.stderr.contains("cannot read `/dev/zero`: not a regular file"), device.stderr)

        let spec = CLITests.root.appendingPathComponent("examples/steady-api.yaml").path
        started = Date()
        let key = try await podform(["status", "--api-key-file", big.path, spec], env: env)
        XCTAssertEqual(key.status, 1)
        XCTAssertTrue(key.stderr.contains("cannot use the API key file: \(big.path) is 5368709120 bytes"), key.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)

        let cache = tmp.appendingPathComponent("cache")
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: big, to: cache.appendingPathComponent("gpu-catalog-overlay.json"))
        started = Date()
        let gpus = try await podform(["gpus"], env: env)
        XCTAssertEqual(gpus.status, 1)
        XCTAssertTrue(gpus.stderr.contains("is 5368709120 bytes, over the limit of 16777216 bytes"), gpus.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }
}
