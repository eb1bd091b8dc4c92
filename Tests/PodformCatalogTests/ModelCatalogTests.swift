import Foundation
import PodformSizing
import XCTest

@testable import PodformCatalog

final class ModelCatalogTests: XCTestCase {
    func testCatalogHasAtLeastThirtyModelsEachWithASource() throws {
        let catalog = try ModelCatalog.bundled()
        XCTAssertGreaterThanOrEqual(catalog.models.count, 30)
        for model in catalog.models {
            XCTAssertFalse(model.source.isEmpty, "\(model.id) has no source")
            XCTAssertTrue(model.architecture.problems.isEmpty, "\(model.id): \(model.architecture.problems)")
        }
    }

    /// Every catalog model's derived parameter count is within 2% of its published count.
    func testDerivedParameterCountsWithinTwoPercentOfOfficial() throws {
        let catalog = try ModelCatalog.bundled()
        var checked = 0
        var report: [String] = []
        for model in catalog.models {
            guard let official = model.officialParameters else { continue }
            let derived = model.architecture.parameterCount.total
            let error = abs(Double(derived - official)) / Double(official)
            report.append(
                String(
                    format: "%@ derived %.3fB official %.3fB err %.2f%%", model.id,
                    Double(derived) / 1e9, Double(official) / 1e9, error * 100))
            XCTAssertLessThan(error, 0.02, "\(model.id): derived \(derived), official \(official)")
            checked += 1
        }
        print(report.joined(separator: "\n"))
        XCTAssertGreaterThanOrEqual(checked, 30)
    }

    func testExactPublishedCounts() throws {
        let catalog = try ModelCatalog.bundled()
        // keras-hub's exact count for Llama 3.1 8B is 8,030,261,248; the architecture gives the same.
        XCTAssertEqual(
            catalog.model(named: "meta-llama/Llama-3.1-8B-Instruct")?.architecture.parameterCount.total,
            8_030_261_248)
    }

    func testLookupIsCaseInsensitiveAndTakesAliases() throws {
        let catalog = try ModelCatalog.bundled()
        XCTAssertEqual(catalog.model(named: "META-LLAMA/llama-3.1-8b-instruct")?.id, "meta-llama/Llama-3.1-8B-Instruct")
        XCTAssertEqual(catalog.model(named: "llama-3.1-70b")?.id, "meta-llama/Llama-3.1-70B-Instruct")
        XCTAssertNil(catalog.model(named: "nobody/nothing"))
        XCTAssertEqual(catalog.suggestion(for: "meta-llama/Llama-3.1-8B-Instruc"), "meta-llama/Llama-3.1-8B-Instruct")
    }

    func testMoEReportsTotalAndActive() throws {
        let catalog = try ModelCatalog.bundled()
        let qwen = try XCTUnwrap(catalog.model(named: "Qwen/Qwen3-30B-A3B")).architecture.parameterCount
        XCTAssertEqual(Double(qwen.total) / 1e9, 30.5, accuracy: 0.3)
        XCTAssertEqual(Double(qwen.active) / 1e9, 3.3, accuracy: 0.2)  // "~3.3B active" (models.json notes)
        let v3 = try XCTUnwrap(catalog.model(named: "deepseek-v3")).architecture.parameterCount
        XCTAssertEqual(Double(v3.active) / 1e9, 37, accuracy: 1.5)  // "37B active" (model card)
    }

    func testLocalConfigFilesParse() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let data = try Data(contentsOf: dir.appendingPathComponent("Qwen3-30B-A3B.config.json"))
        let arch = try HFConfig.architecture(id: "Qwen/Qwen3-30B-A3B", json: data)
        XCTAssertEqual(arch.moe?.experts, 128)
        XCTAssertEqual(arch.moe?.expertIntermediate, 768)
        XCTAssertEqual(arch.kvHeads, 4)
        let deepseek = try HFConfig.architecture(
            id: "deepseek-ai/DeepSeek-V3", json: Data(contentsOf: dir.appendingPathComponent("DeepSeek-V3.config.json")))
        XCTAssertEqual(deepseek.mla?.kvLoraRank, 512)
        XCTAssertEqual(deepseek.kvElementsPerTokenPerLayer, 576)
    }

    func testBadConfigsGiveClearErrors() {
        XCTAssertThrowsError(try HFConfig.architecture(id: "x", json: Data("not json".utf8))) {
            XCTAssertTrue("\($0)".contains("not valid JSON"))
        }
        XCTAssertThrowsError(try HFConfig.architecture(id: "x", json: Data(#"{"hidden_size": 4096}"#.utf8))) {
            XCTAssertTrue("\($0)".contains("num_hidden_layers"), "\($0)")
        }
        XCTAssertThrowsError(
            try HFConfig.architecture(
                id: "x",
                json: Data(
                    #"{"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 6, "num_key_value_heads": 4, "intermediate_size": 128, "vocab_size": 10}"#
                        .utf8)))
    }
}

/// The Hub cache key and the catalog overlay's plausibility (issue 14).
final class CacheAndOverlayTests: XCTestCase {
    func testHubCacheNamesAreInjective() {
        XCTAssertEqual(HFConfig.cacheFileName(for: "a/b--c"), "a%2Fb--c.json")
        XCTAssertEqual(HFConfig.cacheFileName(for: "a--b/c"), "a--b%2Fc.json")
        XCTAssertNotEqual(HFConfig.cacheFileName(for: "a/b%2Fc"), HFConfig.cacheFileName(for: "a/b/c"))
        XCTAssertEqual(HFConfig.cacheFileName(for: "a/b%2Fc"), "a%2Fb%252Fc.json")
        XCTAssertEqual(HFConfig.cacheFileName(for: "meta-llama/Llama-3.1-8B"), "meta-llama%2FLlama-3.1-8B.json")
        XCTAssertNil(HFConfig.cacheFileName(for: "../x"))
        XCTAssertNil(HFConfig.cacheFileName(for: String(repeating: "a", count: 300)))
        XCTAssertEqual(HFConfig.cacheFileName(for: "é/\n"), "%C3%A9%2F%0A.json")
    }

    func testOverlayPlausibility() throws {
        let bundled = try GPUCatalog.bundled()
        func overlay(_ ids: [String]) throws -> CatalogOverlay {
            let items = ids.map { "{\"id\": \"\($0)\"}" }.joined(separator: ",")
            return try CatalogOverlay.fromListResponse(Data("{\"gpus\": [\(items)]}".utf8), fetchedAt: "2026-11-10", source: "test")
        }
        XCTAssertEqual(try overlay([]).implausibility(against: bundled), "RunPod's GPU catalog answer lists no GPU types")
        XCTAssertNotNil(try overlay([""]).implausibility(against: bundled))
        let ids = bundled.gpus.map(\.id)
        XCTAssertEqual(
            try overlay(Array(ids.prefix(10))).implausibility(against: bundled),
            "RunPod's GPU catalog answer lists only 10 of the \(ids.count) known GPU types; saving it would delist the rest")
        XCTAssertNil(try overlay(Array(ids.prefix(11)) + ["NEW GPU"]).implausibility(against: bundled))
        XCTAssertNil(try overlay(ids).implausibility(against: bundled))
    }

    func testOverlayOwnership() throws {
        let encoder = JSONEncoder()
        let own = try encoder.encode(try CatalogOverlay.fromListResponse(Data(#"{"gpus": [{"id": "x"}]}"#.utf8), fetchedAt: "d", source: "s"))
        XCTAssertTrue(String(decoding: own, as: UTF8.self).contains("\"generated_by\":\"podform catalog refresh\""))
        XCTAssertTrue(CatalogOverlay.isOverlay(own))
        XCTAssertTrue(CatalogOverlay.isOverlay(Data(#"{"fetched_at": "d", "source": "s", "gpus": []}"#.utf8)))  // older overlays
        XCTAssertFalse(CatalogOverlay.isOverlay(Data(#"{"fetched_at": "d", "source": "s", "gpus": [], "generated_by": "someone"}"#.utf8)))
        XCTAssertFalse(CatalogOverlay.isOverlay(Data("my notes".utf8)))
        XCTAssertFalse(CatalogOverlay.isOverlay(Data(#"{"fetched_at": "mine"}"#.utf8)))
    }
}
