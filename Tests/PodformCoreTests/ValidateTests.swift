import XCTest

@testable import PodformCore

final class ValidateTests: XCTestCase {
    static let gpuNames = ["NVIDIA L40S", "L40S", "l40s", "NVIDIA H100 80GB HBM3", "H100 SXM", "h100", "NVIDIA GeForce RTX 4090", "4090"]
    let environment = ValidationEnvironment(
        resolveGPU: { name in
            let table = [
                "nvidia l40s": "NVIDIA L40S", "l40s": "NVIDIA L40S", "h100": "NVIDIA H100 80GB HBM3",
                "nvidia h100 80gb hbm3": "NVIDIA H100 80GB HBM3", "4090": "NVIDIA GeForce RTX 4090"
            ]
            return table[name.lowercased()]
        },
        gpuNames: ValidateTests.gpuNames,
        model: {
            $0.lowercased() == "meta-llama/llama-3.1-8b-instruct" ? .init(canonicalID: "meta-llama/Llama-3.1-8B-Instruct", maxContext: 131_072) : nil
        })

    let minimal = """
        version: 1
        name: chat
        model: {id: meta-llama/Llama-3.1-8B-Instruct}
        context: 4k
        concurrency: 8

        """

    /// Validates marked YAML and returns (code, line, column) triples.
    func check(_ marked: String, file: String = "spec.yaml") -> (MarkedText, [Diagnostic]) {
        let m = MarkedText(marked)
        return (m, Spec.validate(path: file, text: m.text, environment: environment).1)
    }

    func assertAt(
        _ diagnostics: [Diagnostic], _ code: String, _ marker: (line: Int, column: Int)?,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        guard let marker else { return XCTFail("marker missing", file: file, line: line) }
        XCTAssertTrue(
            diagnostics.contains { $0.code == code && $0.location.line == marker.line && $0.location.column == marker.column },
            "expected \(code) at \(marker.line):\(marker.column), got \(diagnostics.map { "\($0.code)@\($0.location.line):\($0.location.column)" })",
            file: file, line: line)
    }

    func testMinimalSpecIsValid() {
        let (spec, diagnostics) = Spec.validate(path: "s.yaml", text: minimal, environment: environment)
        XCTAssertEqual(diagnostics, [])
        XCTAssertEqual(spec?.context, 4096)
        XCTAssertEqual(spec?.concurrency, 8)
        XCTAssertEqual(spec?.precision, .bf16)
    }

    func testUnknownKeyPointsAtTheKeyWithDidYouMean() {
        let (m, d) = check(
            """
            version: 1
            name: chat
            model: {id: meta-llama/Llama-3.1-8B-Instruct}
            context: 4k
            1️⃣concurency: 8
            traffic:
              2️⃣patern: bursty

            """)
        assertAt(d, "unknown-key", m.markers["1️⃣"])
        assertAt(d, "unknown-key", m.markers["2️⃣"])
        XCTAssertEqual(d.first { $0.location.line == 5 }?.hint, "did you mean `concurrency`?")
        XCTAssertEqual(d.first { $0.location.line == 7 }?.hint, "did you mean `pattern`?")
    }

    func testEveryProblemIsReportedAtOnce() {
        let (m, d) = check(
            """
            version: 1
            name: 1️⃣Bad_Name
            model: {id: meta-llama/Llama-3.1-8B-Instruct}
            precision: 2️⃣bf17
            context: 3️⃣8 kb
            concurrency: 4️⃣-3
            sla:
              ttft_p95: 5️⃣30
              cold_start: 6️⃣later
            constraints:
              gpus: [7️⃣H1OO]
              require_ecc: 8️⃣maybe

            """)
        assertAt(d, "invalid-name", m.markers["1️⃣"])
        assertAt(d, "unknown-precision", m.markers["2️⃣"])
        assertAt(d, "bad-unit", m.markers["3️⃣"])
        assertAt(d, "out-of-range", m.markers["4️⃣"])
        assertAt(d, "bad-unit", m.markers["5️⃣"])
        assertAt(d, "bad-unit", m.markers["6️⃣"])
        assertAt(d, "type-mismatch", m.markers["8️⃣"])
        XCTAssertTrue(d.allSatisfy { $0.location.line > 0 && $0.location.column > 0 })
        XCTAssertEqual(d.first { $0.code == "unknown-precision" }?.hint, "did you mean `bf16`?")
        XCTAssertNotNil(d.first { $0.code == "bad-unit" && $0.location.line == 8 }?.hint)
    }

    func testUnknownGPUIsReportedAtTheListItem() {
        let (m, d) = check(
            minimal + """
                constraints:
                  gpus: [L40S, 1️⃣H1OO]
                  exclude_gpus: [2️⃣l40s]

                """)
        assertAt(d, "unknown-gpu", m.markers["1️⃣"])
        assertAt(d, "gpu-conflict", m.markers["2️⃣"])
    }

    func testMissingRequiredFields() {
        let (_, d) = check(
            """
            version: 1
            model: {}

            """)
        XCTAssertTrue(d.contains { $0.code == "missing-required" && $0.message.contains("`name`") })
        XCTAssertTrue(d.contains { $0.code == "missing-required" && $0.message.contains("`model.id`") && $0.location.line == 2 })
        let (_, inference) = check("version: 1\nname: chat\nmodel: {id: x/y}\n")
        XCTAssertTrue(inference.contains { $0.code == "missing-required" && $0.message.contains("`context`") })
    }

    func testWrongTypesAndNulls() {
        let (m, d) = check(
            """
            version: 1
            name: chat
            model: 1️⃣[a, b]
            context: 4k
            concurrency: 2️⃣eight
            traffic: 3️⃣

            """)
        assertAt(d, "type-mismatch", m.markers["1️⃣"])
        assertAt(d, "type-mismatch", m.markers["2️⃣"])
        XCTAssertTrue(d.contains { $0.code == "type-mismatch" && $0.message.contains("`traffic`") })
    }

    func testDuplicateKeyPointsAtTheSecondOccurrence() {
        let (m, d) = check(
            """
            version: 1
            name: chat
            model: {id: meta-llama/Llama-3.1-8B-Instruct}
            context: 4k
            1️⃣context: 8k
            concurrency: 8

            """)
        assertAt(d, "duplicate-key", m.markers["1️⃣"])
    }

    func testSyntaxErrorHasALocation() {
        let (_, d) = check("version: 1\nname: chat\nmodel: {id: [unclosed\nconcurrency: 8\n")
        XCTAssertEqual(d.count, 1)
        XCTAssertEqual(d.first?.code, "yaml-syntax")
        XCTAssertGreaterThan(d.first?.location.line ?? 0, 0)
        let (_, tabs) = check("version: 1\nmodel:\n\tid: x\n")
        XCTAssertEqual(tabs.first?.code, "yaml-syntax")
    }

    func codes(_ text: String) -> [String] {
        Spec.validate(path: "spec.yaml", text: text, environment: environment).1.map(\.code)
    }

    func testDegenerateInputs() {
        XCTAssertEqual(check("").1.map(\.code), ["empty-file"])
        XCTAssertEqual(check("# only a comment\n").1.map(\.code), ["empty-file"])
        XCTAssertEqual(check("- a\n- b\n").1.map(\.code), ["not-a-mapping"])
        XCTAssertEqual(check("just a string").1.map(\.code), ["not-a-mapping"])
        XCTAssertEqual(check("version: 1\u{0}\u{1}\u{2}").1.map(\.code), ["not-text"])
        let huge = String(repeating: "# padding line for size\n", count: 60_000)
        XCTAssertEqual(codes(huge), ["file-too-large"])
        let deep = "a: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        XCTAssertEqual(codes(deep), ["nesting-too-deep"])
        var block = ""
        for i in 0..<600 { block += String(repeating: " ", count: i) + "k\(i):\n" }
        XCTAssertEqual(codes(block), ["nesting-too-deep"])
    }

    func testAliasBombIsRefused() {
        var yaml = "a: &a [x, x, x, x, x, x, x, x, x]\n"
        let names = ["b", "c", "d", "e", "f", "g", "h", "i", "j"]
        var previous = "a"
        for name in names {
            yaml += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]\n"
            previous = name
        }
        let started = Date()
        let d = check(yaml).1
        XCTAssertEqual(d.map(\.code), ["alias-limit"])
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
        // A few aliases are fine, and do not expand into the spec.
        let small = check(minimal + "labels: &l {team: a}\n").1
        XCTAssertEqual(small, [])
    }

    func testWarningsDoNotFailButAreReported() {
        let (_, d) = check(
            minimal.replacingOccurrences(of: "context: 4k", with: "context: 256k") + """
                deploy:
                  image: vllm/vllm-openai:latest

                """)
        XCTAssertTrue(d.contains { $0.code == "context-exceeds-model" && $0.severity == .warning })
        XCTAssertTrue(d.contains { $0.code == "unpinned-image" && $0.severity == .warning })
        XCTAssertFalse(d.hasErrors)
    }

    func testTheUnpinnedImageHintShowsTheEnginesPinnedImage() {
        var pinned = environment
        pinned.pinnedImageExample = "vllm/vllm-openai:v9.9.9"
        let text = minimal + "deploy:\n  image: vllm/vllm-openai\n"
        let d = Spec.validate(path: "spec.yaml", text: text, environment: pinned).1.first { $0.code == "unpinned-image" }
        XCTAssertEqual(d?.hint, "pin a tag such as `vllm/vllm-openai:v9.9.9` so every worker runs the same code")
    }

    func testLiteralSecretsAreRejected() {
        let (m, d) = check(
            minimal + """
                deploy:
                  env:
                    HF_TOKEN: 1️⃣hf_abcdefghijklmnopqrstuvwxyz
                  secrets: {API_KEY: 2️⃣"not a valid name!"}

                """)
        assertAt(d, "literal-secret", m.markers["1️⃣"])
        assertAt(d, "invalid-secret-name", m.markers["2️⃣"])
        XCTAssertFalse(d.map(\.message).joined().contains("hf_abcdefghijklmnopqrstuvwxyz"))
    }

    func testConsistencyRules() {
        let (_, d) = check(
            minimal + """
                workload: fine-tune
                deploy: {mode: serverless}

                """)
        XCTAssertTrue(d.contains { $0.code == "mode-conflict" })
        let (_, t) = check(
            minimal.replacingOccurrences(of: "context: 4k", with: "context: 1000") + """
                traffic: {prompt_tokens: 900, output_tokens: 300, requests_per_day: 1000000, peak_requests_per_second: 1}

                """)
        XCTAssertTrue(t.contains { $0.code == "context-too-small" })
        XCTAssertTrue(t.contains { $0.code == "traffic-inconsistent" })
    }

    /// A peak below the mean over the active hours (not over 24 h): the sweep that found it had
    /// 100,000 requests in a 15-hour schedule (1.85/s) under a 1.736/s peak, planned as "SLA met"
    /// while the simulation queued 99.9% of requests past the TTFT.
    func testAPeakBelowTheMeanOverTheActiveHoursIsRefused() throws {
        func traffic(_ t: String) -> [Diagnostic] { check(minimal + "traffic: {\(t)}\n").1.filter { $0.code == "traffic-inconsistent" } }
        let scheduled = traffic(#"requests_per_day: 100000, peak_requests_per_second: 1.736, schedule: {hours: "08:00-23:00"}"#)
        XCTAssertEqual(scheduled.count, 1)
        XCTAssertEqual(
            scheduled.first?.message,
            "peak_requests_per_second 1.736 is below the mean rate: 100000 requests in 15 active hours a day (the schedule's window) are 1.85/s")
        XCTAssertEqual(scheduled.first?.location.keyPath, "traffic.peak_requests_per_second")
        XCTAssertEqual(
            scheduled.first?.hint,
            "a peak is at least the mean (bursty traffic peaks near 3x it): raise the peak to 1.85 or more, or spread the requests over at least 16.0 hours"
        )
        // Bursty traffic defaults to 12 active hours: 60,000 requests are 1.39/s then, above a 1/s peak.
        let defaulted = try XCTUnwrap(traffic("requests_per_day: 60000, peak_requests_per_second: 1").first)
        XCTAssertTrue(defaulted.message.contains("in 12 active hours a day (the default for bursty traffic"), defaulted.message)
        // The same day spread over 24 stated hours (0.69/s) or under a 1.4/s peak is consistent.
        XCTAssertEqual(traffic("requests_per_day: 60000, peak_requests_per_second: 1, active_hours_per_day: 24"), [])
        XCTAssertEqual(traffic("requests_per_day: 60000, peak_requests_per_second: 1.4"), [])
        // Exactly at the mean is allowed (a flat peak).
        XCTAssertEqual(traffic("requests_per_day: 36000, peak_requests_per_second: 1, active_hours_per_day: 10"), [])
    }

    func testUnicodeColumnsCountScalars() {
        let (m, d) = check(
            """
            version: 1
            name: chat # ünïcödé 🚀
            model: {id: meta-llama/Llama-3.1-8B-Instruct, 1️⃣größe: 1}
            context: 4k
            concurrency: 8

            """)
        assertAt(d, "unknown-key", m.markers["1️⃣"])
    }
}
