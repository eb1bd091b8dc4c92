import Foundation
import PodformCatalog
import PodformCompiler
import PodformCore
import PodformSizing
import XCTest

/// Issue 16: storage and cold start from the checkpoint's files on disk when their size is known
/// (the catalog's safetensors index total, or the Hub's), from the parameter count otherwise; the
/// plan's D-WEIGHTS step says which.
final class CheckpointSizeTests: XCTestCase {
    static let spec =
        "version: 1\nname: size\nmodel: {id: meta-llama/Llama-3.1-8B-Instruct}\ncontext: 4k\nconcurrency: 2\n"
        + "constraints: {data_centers: [EU-RO-1]}\ndeploy: {mode: serverless, weights: network-volume}\n"

    func compile(checkpoint: CheckpointSize?) throws -> Deployment {
        let (spec, diagnostics) = Spec.validate(path: "spec.yaml", text: Self.spec, environment: Fixtures.validation)
        XCTAssertFalse(diagnostics.hasErrors)
        var arch = try XCTUnwrap(Fixtures.models.model(named: "meta-llama/Llama-3.1-8B-Instruct")).architecture
        arch.checkpoint = checkpoint
        guard case .success(let d) = try XCTUnwrap(spec).compile(specFile: "spec.yaml", architecture: arch, environment: Fixtures.environment) else {
            XCTFail("no plan"); throw XCTSkip()
        }
        return d
    }

    func weightsStep(_ d: Deployment) throws -> Deployment.TraceStep {
        try XCTUnwrap(d.trace.first { $0.rule == "D-WEIGHTS" })
    }

    func testStorageAndColdStartUseTheCheckpointsBytesWhenKnown() throws {
        let estimated = try compile(checkpoint: nil)
        let known = try compile(checkpoint: CheckpointSize(bytes: 300_000_000_000, source: "test index"))
        XCTAssertEqual(try weightsStep(known).inputs["download_gb"], "300.0 (the checkpoint's weight files: test index)")
        XCTAssertTrue(try weightsStep(estimated).inputs["download_gb"]?.contains("estimated from the parameter count at bf16") ?? false)
        // D-WEIGHTS: the volume holds the download x 1.2 + 5 GB, to 10 GB.
        let outcome = try weightsStep(known).outcome
        XCTAssertTrue(outcome.contains("a 370 GB network volume"), outcome)
        let cold = try XCTUnwrap(known.serverless?.coldStartSeconds), baseline = try XCTUnwrap(estimated.serverless?.coldStartSeconds)
        XCTAssertGreaterThan(cold, baseline, "cold start reads the bytes on disk")
    }

    /// The catalog's checkpoint sizes (scripts/build_catalogs.py CHECKPOINTS, with sources) agree with
    /// the architectures they belong to: a 16-bit checkpoint holds 2 bytes per parameter.
    func testCatalogCheckpointSizesMatchTheirArchitectures() throws {
        let sized = Fixtures.models.models.filter { $0.architecture.checkpoint != nil }
        XCTAssertGreaterThanOrEqual(sized.count, 5)
        for model in sized {
            let c = try XCTUnwrap(model.architecture.checkpoint)
            XCTAssertFalse(c.source.isEmpty, model.id)
            guard model.architecture.quantization == nil else { continue }
            let estimate = Double(model.architecture.weightBytes(.bf16))
            XCTAssertEqual(
                Double(c.bytes) / estimate, 1, accuracy: 0.02, "\(model.id): \(c.bytes) bytes on disk vs \(Int64(estimate)) from its parameters")
        }
        XCTAssertEqual(Fixtures.models.model(named: "meta-llama/Llama-3.1-8B-Instruct")?.architecture.checkpoint?.bytes, 16_060_522_496)
    }
}
