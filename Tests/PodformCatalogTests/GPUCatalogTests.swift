import Foundation
import XCTest

@testable import PodformCatalog

final class GPUCatalogTests: XCTestCase {
    /// RunPod's GPU type ids: the REST v1 enum plus the docs' GPU table (shared/runpod/NOTES.md §3.1).
    static let runpodIDs: Set<String> = [
        "NVIDIA GeForce RTX 4090", "NVIDIA A40", "NVIDIA RTX A5000", "NVIDIA GeForce RTX 5090", "NVIDIA H100 80GB HBM3",
        "NVIDIA GeForce RTX 3090", "NVIDIA RTX A4500", "NVIDIA L40S", "NVIDIA H200", "NVIDIA L4", "NVIDIA RTX 6000 Ada Generation",
        "NVIDIA A100-SXM4-80GB", "NVIDIA RTX 4000 Ada Generation", "NVIDIA RTX A6000", "NVIDIA A100 80GB PCIe",
        "NVIDIA RTX 2000 Ada Generation", "NVIDIA RTX A4000", "NVIDIA RTX PRO 6000 Blackwell Server Edition", "NVIDIA H100 PCIe",
        "NVIDIA H100 NVL", "NVIDIA L40", "NVIDIA B200", "NVIDIA GeForce RTX 3080 Ti", "NVIDIA RTX PRO 6000 Blackwell Workstation Edition",
        "NVIDIA GeForce RTX 3080", "NVIDIA GeForce RTX 3070", "AMD Instinct MI300X OAM", "NVIDIA GeForce RTX 4080 SUPER",
        "Tesla V100-PCIE-16GB", "Tesla V100-SXM2-32GB", "NVIDIA RTX 5000 Ada Generation", "NVIDIA GeForce RTX 4070 Ti",
        "NVIDIA RTX 4000 SFF Ada Generation", "NVIDIA GeForce RTX 3090 Ti", "NVIDIA RTX A2000", "NVIDIA GeForce RTX 4080",
        "NVIDIA A30", "NVIDIA GeForce RTX 5080", "Tesla V100-FHHL-16GB", "NVIDIA H200 NVL", "Tesla V100-SXM2-16GB",
        "NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition", "NVIDIA A5000 Ada", "Tesla V100-PCIE-32GB", "Tesla T4",
        "NVIDIA RTX A30", "NVIDIA B300 SXM6 AC", "NVIDIA RTX PRO 4500 Blackwell"
    ]
    static let pools: Set<String> = [
        "AMPERE_16", "AMPERE_24", "ADA_24", "AMPERE_48", "ADA_48_PRO", "AMPERE_80", "ADA_80_PRO",
        "HOPPER_141", "ADA_32_PRO", "BLACKWELL_96", "BLACKWELL_180"
    ]

    func testEveryGPUIsARunPodIdWithSaneFigures() throws {
        let catalog = try GPUCatalog.bundled()
        XCTAssertEqual(catalog.formatVersion, 1)
        XCTAssertGreaterThanOrEqual(catalog.gpus.count, 40)
        XCTAssertEqual(Set(catalog.gpus.map(\.id)).count, catalog.gpus.count, "duplicate ids")
        for gpu in catalog.gpus {
            XCTAssertTrue(Self.runpodIDs.contains(gpu.id), "\(gpu.id) is not a RunPod GPU id")
            XCTAssertGreaterThan(gpu.memoryGB, 0)
            // Cards listed as "N GB" carry at most N GiB, and CUDA reports less than that (driver reserve).
            XCTAssertLessThanOrEqual(gpu.cudaMemoryGiB, gpu.memoryGB, gpu.id)
            XCTAssertGreaterThan(gpu.cudaMemoryGiB, gpu.memoryGB * 0.85, gpu.id)
            if let pool = gpu.serverlessPool { XCTAssertTrue(Self.pools.contains(pool), "\(gpu.id): pool \(pool)") }
            XCTAssertFalse(gpu.specSource.isEmpty, gpu.id)
            XCTAssertEqual(gpu.rocm, gpu.manufacturer == "AMD")
            for price in [
                gpu.prices.podSecurePerHour, gpu.prices.podCommunityPerHour, gpu.prices.serverlessFlexPerSecond,
                gpu.prices.serverlessActivePerSecond
            ].compactMap({ $0 }) {
                XCTAssertGreaterThan(price.usd, 0, gpu.id)
                XCTAssertNotNil(price.asOf.range(of: #"^\d{4}-\d{2}-\d{2}"#, options: .regularExpression), gpu.id)
                XCTAssertFalse(price.source.isEmpty, gpu.id)
            }
        }
        XCTAssertEqual(catalog.gpu(named: "h100")?.cudaMemoryGiB, 79.19)  // vLLM logs: 79.18-79.22 GiB
        XCTAssertFalse(catalog.storage.source.isEmpty)
        XCTAssertEqual(catalog.storage.networkVolumePerGBMonth, 0.07)  // seed 002
    }

    func testAliasesResolveUniquely() throws {
        let catalog = try GPUCatalog.bundled()
        var seen: [String: String] = [:]
        for gpu in catalog.gpus {
            for alias in gpu.aliases {
                XCTAssertNil(seen[alias], "alias \(alias) used by \(seen[alias] ?? "") and \(gpu.id)")
                seen[alias] = gpu.id
                XCTAssertEqual(catalog.gpu(named: alias)?.id, gpu.id, alias)
            }
        }
        XCTAssertEqual(catalog.gpu(named: "H100")?.id, "NVIDIA H100 80GB HBM3")
        XCTAssertEqual(catalog.gpu(named: "4090")?.id, "NVIDIA GeForce RTX 4090")
        XCTAssertEqual(catalog.gpu(named: "L40S")?.id, "NVIDIA L40S")
        XCTAssertEqual(catalog.gpu(named: "nvidia l40s")?.id, "NVIDIA L40S")
        XCTAssertEqual(catalog.gpu(named: "RTX 4090")?.id, "NVIDIA GeForce RTX 4090")
        XCTAssertNil(catalog.gpu(named: "H1OO"))
    }

    func testServerlessPricesFallBackToThePool() throws {
        let catalog = try GPUCatalog.bundled()
        let nvl = try XCTUnwrap(catalog.gpu(named: "h100-nvl"))
        XCTAssertNil(nvl.prices.serverlessFlexPerSecond)
        XCTAssertEqual(catalog.flexPerSecond(nvl)?.usd, 0.00116)  // ADA_80_PRO, RunPod docs
        XCTAssertEqual(catalog.activePerSecond(nvl)?.usd, 0.00093)
    }

    func testCatalogAge() throws {
        var catalog = try GPUCatalog.bundled()
        catalog.asOf = "2026-10-01"
        let now = ISO8601DateFormatter().date(from: "2026-11-25T12:00:00Z")!
        XCTAssertEqual(catalog.ageInDays(now: now), 55)
        catalog.asOf = "garbage"
        XCTAssertNil(catalog.ageInDays(now: now))
    }
}
