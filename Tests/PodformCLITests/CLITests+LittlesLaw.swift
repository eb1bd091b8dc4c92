import Foundation
import XCTest

extension CLITests {
    /// A Little's-law contradiction fails `podform plan` (exit 1) with a located error at `concurrency`.
    func testLittlesLawContradictionFailsThePlan() throws {
        let spec = tempDir().appendingPathComponent("busy.yaml")
        try """
        version: 1
        name: busy
        model: {id: meta-llama/Llama-3.1-8B-Instruct}
        context: 4k
        concurrency: 8
        traffic: {peak_requests_per_second: 200, prompt_tokens: 800, output_tokens: 300}

        """.write(to: spec, atomically: true, encoding: .utf8)
        let r = try podform("plan", "--offline", spec.path)
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("busy.yaml:5:14: error: the peak of 200.00 requests/s x at least"), r.stderr)
        XCTAssertTrue(r.stderr.contains("[littles-law-inconsistent]"), r.stderr)
        XCTAssertTrue(r.stderr.contains("set concurrency to at least"), r.stderr)
    }
}
