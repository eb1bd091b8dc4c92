import Foundation
import PodformApply
import PodformCompiler
import RunPodAPI
import XCTest

/// `deploy.container_disk` is honoured, and refused when the weights living there do not fit (issue 14:
/// it was parsed and ignored, 0 GB and 999999 TB both planned 30).
final class ContainerDiskTests: XCTestCase {
    let pod = """
        version: 1
        name: disk
        model: {id: meta-llama/Llama-3.1-8B-Instruct}
        context: 4k
        concurrency: 4
        sla: {cold_start: none}

        """

    func bodyDisk(_ d: Deployment) -> [Int] {
        RunPodResources.requests(for: d).compactMap { r -> Int? in
            guard case .object(let o) = r.body else { return nil }
            for key in ["disk", "containerDiskInGb"] { if case .int(let n)? = o[key] { return n } }
            return nil
        }
    }

    func testDefaultDiskIsUnchanged() throws {
        let d = try XCTUnwrap(Fixtures.deployment(pod))
        XCTAssertEqual(d.mode, .pod)
        XCTAssertEqual(d.container.weights == "container" ? 55 : 30, d.container.containerDiskGB)
    }

    func testTheSpecsDiskIsPlannedAndSent() throws {
        let d = try XCTUnwrap(Fixtures.deployment(pod + "deploy: {container_disk: 120GB}\n"))
        XCTAssertEqual(d.container.containerDiskGB, 120)
        XCTAssertFalse(bodyDisk(d).isEmpty)
        XCTAssertTrue(bodyDisk(d).allSatisfy { $0 == 120 }, "\(bodyDisk(d))")
        let rounded = try XCTUnwrap(Fixtures.deployment(pod + "deploy: {container_disk: 100GiB}\n"))
        XCTAssertEqual(rounded.container.containerDiskGB, 108)  // 107.37 GB, rounded up
    }

    func testADiskTooSmallForTheWeightsIsACompileFailure() throws {
        // Llama 3.1 8B bf16: 16.06 GB of weights, 17.67 GB with 10% headroom -> 18 GB needed.
        let text = pod + "deploy: {container_disk: 10GB, weights: image}\n"
        guard case .failure(let f)? = Fixtures.compile(text) else { return XCTFail("expected a failure") }
        XCTAssertEqual(f.message, "deploy.container_disk is 10 GB, but the weights alone need 18 GB on the container disk of this pod")
        XCTAssertEqual(f.suggestions.first, "set deploy.container_disk to at least 18GB, or omit it")
        let enough = try XCTUnwrap(Fixtures.deployment(pod + "deploy: {container_disk: 18GB, weights: image}\n"))
        XCTAssertEqual(enough.container.containerDiskGB, 18)
        // With the weights on a volume, a small container disk is fine.
        let volume = try XCTUnwrap(Fixtures.deployment(pod + "deploy: {container_disk: 10GB, weights: download}\n"))
        XCTAssertEqual(volume.container.containerDiskGB, 10)
    }

    func testTrainingHonoursTheDisk() throws {
        let text = """
            version: 1
            name: tune
            workload: fine-tune
            model: {id: meta-llama/Llama-3.1-8B-Instruct}
            training: {method: lora}
            deploy: {container_disk: 50GB}

            """
        let d = try XCTUnwrap(Fixtures.deployment(text))
        XCTAssertEqual(d.container.containerDiskGB, 50)
        XCTAssertEqual(bodyDisk(d).count, 2)
        XCTAssertTrue(bodyDisk(d).allSatisfy { $0 == 50 }, "\(bodyDisk(d))")
    }
}
